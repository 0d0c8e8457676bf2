import { BerthError, TransientError } from '../../errors.js';

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

/** An HTTP failure status from a Git host as the port's error: auth and missing repositories are final, overload and outages transient. */
export function httpStatusError(action: string, url: string, status: number, statusMessage: string): BerthError {
  if (status === 401 || status === 403) {
    return new RemoteRejectedError(`${action} ${url}: the remote refused the credentials (HTTP ${status})`, { url, status });
  }
  if (status === 404) return new RemoteRejectedError(`${action} ${url}: no repository there (HTTP 404)`, { url, status });
  if (status === 408 || status === 429 || status >= 500) return new TransientError(`${action} ${url}: HTTP ${status}`, { url, status });
  return new RemoteRejectedError(`${action} ${url}: HTTP ${status} ${statusMessage}`.trim(), { url, status });
}
