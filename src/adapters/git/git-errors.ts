import { BerthError } from '../../errors.js';

/**
 * The repository cannot be used as it is (corrupt ref, a branch name that
 * collides with another branch's folder, unreadable files). Retrying will not
 * help; an operator has to look.
 */
export class RepositoryError extends BerthError {
  constructor(message: string, details?: unknown) {
    super('git_unavailable', message, details);
  }
}

/**
 * The remote refused us for a reason a retry will not fix: wrong or missing
 * credentials, no such repository, a server-side hook or branch protection.
 * Details carry the URL without credentials and the HTTP status, never the
 * credentials themselves.
 */
export class RemoteRejectedError extends BerthError {
  constructor(message: string, details?: unknown) {
    super('git_unavailable', message, details);
  }
}
