/**
 * Typed errors with stable codes: ONE class per code (a subclass never
 * reuses its parent's code). The HTTP layer maps codes to statuses in one
 * table (src/http/error-mapping.ts); retry decisions read `retriable`, never a
 * message or a code string. Everything below the HTTP layer throws these.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'invalid_name'
  | 'invalid_path'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'revert_conflict'
  | 'invalid_manifest'
  | 'git_unavailable'
  | 'ref_locked'
  | 'store_busy'
  | 'retry_exhausted'
  | 'repository_invalid'
  | 'remote_rejected'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'payload_too_large'
  | 'invalid_code'
  | 'unavailable'
  | 'internal';

export abstract class BerthError extends Error {
  abstract readonly code: ErrorCode;
  /** True when the same call may succeed later (a job retries it with backoff). */
  readonly retriable: boolean = false;

  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed or refers to something impossible (HTTP 400). */
export class InputError extends BerthError {
  readonly code: ErrorCode = 'invalid_input';
}

/** A tenant, app, user or branch name breaks its rule (HTTP 400). */
export class InvalidNameError extends InputError {
  override readonly code = 'invalid_name';
}

/** A file path in an app or the repository breaks the path rules (HTTP 400). */
export class InvalidPathError extends InputError {
  override readonly code = 'invalid_path';
}

export class NotFoundError extends BerthError {
  readonly code = 'not_found';
}

/** The route exists, but not for this method; `allow` becomes the Allow header (HTTP 405). */
export class MethodNotAllowedError extends BerthError {
  readonly code = 'method_not_allowed';
  constructor(readonly allow: readonly string[]) {
    super(`this route answers ${allow.join(', ')}`, { allow });
  }
}

/** The change was planned against a state that has since moved underneath it (HTTP 409). */
export class ConflictError extends BerthError {
  readonly code: ErrorCode = 'conflict';
}

/** A revert does not apply to the current tree: later commits changed the same files (HTTP 409). */
export class RevertConflictError extends ConflictError {
  override readonly code = 'revert_conflict';
}

/** Rendered output failed to parse back or to match its schema: a bug, never committed (HTTP 500). */
export class ManifestError extends BerthError {
  readonly code = 'invalid_manifest';
}

/** The Git repository or its remote failed in a way a retry may fix: a lock, a timeout, an outage (HTTP 503). */
export class GitUnavailableError extends BerthError {
  readonly code: ErrorCode = 'git_unavailable';
  override readonly retriable = true;
}

/** The database was busy past its own wait (SQLite's busy timeout) (HTTP 503). */
export class StoreBusyError extends BerthError {
  readonly code = 'store_busy';
  override readonly retriable = true;
}

/** A compare-and-swap kept losing to other writers until the attempts ran out: contention, not a conflict (HTTP 503). */
export class RetryExhaustedError extends BerthError {
  readonly code = 'retry_exhausted';
  override readonly retriable = true;
}

/**
 * The repository cannot be used as it is (a ref that holds no commit id,
 * unreadable files). Retrying will not help; an operator has to look (HTTP 500).
 */
export class RepositoryError extends BerthError {
  readonly code = 'repository_invalid';
}

/**
 * The Git remote refused us for a reason a retry will not fix: wrong or
 * missing credentials, no such repository, a hook or branch protection, not a
 * Git server. Details carry the URL without credentials (HTTP 502).
 */
export class RemoteRejectedError extends BerthError {
  readonly code = 'remote_rejected';
}

/** No credentials, or credentials that do not verify (HTTP 401). */
export class UnauthorizedError extends BerthError {
  readonly code = 'unauthorized';
  constructor(message = 'authentication required', details?: unknown) {
    super(message, details);
  }
}

/** Authenticated, but this principal may not do this (HTTP 403). */
export class ForbiddenError extends BerthError {
  readonly code = 'forbidden';
  constructor(message = 'not allowed', details?: unknown) {
    super(message, details);
  }
}

/** Too many requests; `retryAfterSeconds` becomes the Retry-After header (HTTP 429). */
export class RateLimitError extends BerthError {
  readonly code = 'rate_limited';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'too many requests',
  ) {
    super(message, { retryAfterSeconds });
  }
}

/** A body or file over its limit (HTTP 413). */
export class TooLargeError extends BerthError {
  readonly code = 'payload_too_large';
}

/** One problem found in an app's code, as API.md's validate response lists them. */
export interface CodeProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly rule: 'syntax' | 'import' | 'forbidden' | 'entrypoint' | 'size' | 'path';
}

/** The code does not pass validation (HTTP 422 with the problems). */
export class InvalidCodeError extends BerthError {
  readonly code = 'invalid_code';
  constructor(readonly problems: readonly CodeProblem[]) {
    super(`the app's code has ${problems.length} problem(s)`, { problems });
  }
}

/** A dependency is down or timed out and the request cannot be served now (HTTP 503). */
export class UnavailableError extends BerthError {
  readonly code = 'unavailable';
  override readonly retriable = true;
}

/** Anything that is not a BerthError, as the API answers it: no internals, only the request id (HTTP 500). */
export class InternalError extends BerthError {
  readonly code = 'internal';
}
