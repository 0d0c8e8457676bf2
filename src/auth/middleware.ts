import type { MiddlewareHandler } from 'hono';
import { UnauthorizedError } from '../errors.js';
import type { Principal } from './principal.js';
import type { AuthService } from './service.js';

/**
 * The hono side of auth, kept thin: read the bearer token, let the service
 * verify it, put the principal on the context. Failures are thrown as typed
 * errors and mapped to 401/403/503 by the app's one onError.
 */

/** The piece of the app's `Variables` this middleware fills in. */
export interface AuthVariables {
  principal: Principal;
}

/** `Bearer <token68>` (RFC 6750); the scheme is case-insensitive. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The token of an Authorization header, or UnauthorizedError. Never echoes the header. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw new UnauthorizedError('Authorization: Bearer <token> header required');
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * Requires a valid bearer token and sets `c.var.principal`. Query-string
 * tokens are not read (they end up in logs). The HTTP API's requireUser is
 * this middleware, typed for its env.
 */
export function bearerAuth<E extends { Variables: AuthVariables } = { Variables: AuthVariables }>(
  auth: Pick<AuthService, 'authenticate'>,
): MiddlewareHandler<E> {
  return async (c, next) => {
    c.set('principal', await auth.authenticate(bearerToken(c.req.header('Authorization'))));
    await next();
  };
}
