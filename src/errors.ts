/**
 * Typed errors with stable codes. The HTTP layer maps them to statuses in one
 * place; everything below it throws these and nothing else on purpose.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'invalid_name'
  | 'invalid_path'
  | 'not_found'
  | 'conflict'
  | 'revert_conflict'
  | 'too_large'
  | 'invalid_manifest'
  | 'git_unavailable'
  | 'retry_exhausted'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'payload_too_large'
  | 'invalid_code'
  | 'unavailable';

export class BerthError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InputError extends BerthError {
  constructor(message: string, details?: unknown, code: ErrorCode = 'invalid_input') {
    super(code, message, details);
  }
}

export class NotFoundError extends BerthError {
  constructor(message: string, details?: unknown) {
    super('not_found', message, details);
  }
}

/** The change was planned against a state that has since moved underneath it. */
export class ConflictError extends BerthError {
  constructor(message: string, details?: unknown, code: ErrorCode = 'conflict') {
    super(code, message, details);
  }
}

/** Rendered output failed to parse back or to match its schema: a bug, never committed. */
export class ManifestError extends BerthError {
  constructor(message: string, details?: unknown) {
    super('invalid_manifest', message, details);
  }
}

/** A dependency (remote, disk) failed in a way a retry may fix. */
export class TransientError extends BerthError {
  constructor(message: string, details?: unknown) {
    super('git_unavailable', message, details);
  }
}

/** No credentials, or credentials that do not verify (HTTP 401). */
export class UnauthorizedError extends BerthError {
  constructor(message = 'authentication required', details?: unknown) {
    super('unauthorized', message, details);
  }
}

/** Authenticated, but this principal may not do this (HTTP 403). */
export class ForbiddenError extends BerthError {
  constructor(message = 'not allowed', details?: unknown) {
    super('forbidden', message, details);
  }
}

/** Too many requests; `retryAfterSeconds` becomes the Retry-After header (HTTP 429). */
export class RateLimitError extends BerthError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'too many requests',
  ) {
    super('rate_limited', message, { retryAfterSeconds });
  }
}

/** A body or file over its limit (HTTP 413). */
export class TooLargeError extends BerthError {
  constructor(message: string, details?: unknown) {
    super('payload_too_large', message, details);
  }
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
  constructor(readonly problems: readonly CodeProblem[]) {
    super('invalid_code', `the app's code has ${problems.length} problem(s)`, { problems });
  }
}

/** A dependency is down or timed out and the request cannot be served now (HTTP 503). */
export class UnavailableError extends BerthError {
  constructor(message: string, details?: unknown) {
    super('unavailable', message, details);
  }
}
