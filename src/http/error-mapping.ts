import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BerthError, InputError, InternalError, MethodNotAllowedError, RateLimitError, TooLargeError, UnauthorizedError, type ErrorCode } from '../errors.js';
import type { AppEnv } from './env.js';

/** API.md's error body. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** THE table: every error code and its HTTP status (test/http/error-mapping.test.ts checks it code by code). */
export const STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  invalid_input: 400,
  invalid_name: 400,
  invalid_path: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  revert_conflict: 409,
  payload_too_large: 413,
  invalid_code: 422,
  rate_limited: 429,
  // A rendered manifest that fails its own schema, or a repository Berth cannot read, is Berth's fault, not the caller's.
  invalid_manifest: 500,
  repository_invalid: 500,
  internal: 500,
  // The Git host refused Berth (credentials, no repository, a hook): an upstream answer a retry does not change.
  remote_rejected: 502,
  git_unavailable: 503,
  ref_locked: 503,
  store_busy: 503,
  retry_exhausted: 503,
  unavailable: 503,
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
  const error = err instanceof BerthError ? err : fromHono(err);
  if (!error) {
    c.get('logger')?.error({ err }, 'unhandled error');
    return respond(c, new InternalError('internal error', { requestId: c.get('requestId') }));
  }
  return respond(c, error);
}

function respond(c: Context<AppEnv>, err: BerthError): Response {
  const status = statusOf(err);
  if (err instanceof RateLimitError) c.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
  if (err instanceof MethodNotAllowedError) c.header('Allow', err.allow.join(', '));
  // The unread rest of an oversized body would otherwise be parsed as the next request: the
  // server closes the socket after a 413, and a kept-alive client must know not to reuse it.
  if (err instanceof TooLargeError) c.header('Connection', 'close');
  if (status >= 500 && !(err instanceof InternalError)) c.get('logger')?.error({ err: { code: err.code, message: err.message } }, 'request failed');
  const body: ErrorBody = { error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } };
  return c.json(body, status);
}

/** hono's own HTTPExceptions (its body parser, its middleware) as the typed error of the same meaning. */
function fromHono(err: Error): BerthError | undefined {
  if (!(err instanceof HTTPException)) return undefined;
  const message = err.message || 'bad request';
  if (err.status === 413) return new TooLargeError(message);
  if (err.status === 401) return new UnauthorizedError(message);
  if (err.status < 500) return new InputError(message);
  return undefined;
}
