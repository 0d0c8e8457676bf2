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
  | 'retry_exhausted';

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
