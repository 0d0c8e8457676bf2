import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BerthError, RateLimitError, type ErrorCode } from '../errors.js';
import type { AppEnv } from './env.js';

/** API.md's error body. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

const STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  invalid_input: 400,
  invalid_name: 400,
  invalid_path: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  revert_conflict: 409,
  too_large: 413,
  payload_too_large: 413,
  invalid_code: 422,
  rate_limited: 429,
  git_unavailable: 503,
  retry_exhausted: 503,
  unavailable: 503,
  // A rendered manifest that fails its own schema is Berth's bug, not the caller's.
  invalid_manifest: 500,
};

/** HTTP status of a typed error. */
export function statusOf(error: BerthError): ContentfulStatusCode {
  return STATUS[error.code];
}

/**
 * THE place errors become responses. Typed errors keep their code and
 * message; anything else is a 500 whose body says nothing about internals
 * (the log line, keyed by request id, has the stack).
 */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof BerthError) {
    const status = statusOf(err);
    if (err instanceof RateLimitError) c.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
    if (status >= 500) c.get('logger')?.error({ err: { code: err.code, message: err.message } }, 'request failed');
    const body: ErrorBody = { error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } };
    return c.json(body, status);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : status < 500 ? 'invalid_input' : 'internal';
    return c.json({ error: { code, message: err.message || 'bad request' } } satisfies ErrorBody, status as ContentfulStatusCode);
  }
  c.get('logger')?.error({ err }, 'unhandled error');
  return c.json({ error: { code: 'internal', message: 'internal error', details: { requestId: c.get('requestId') } } } satisfies ErrorBody, 500);
}
