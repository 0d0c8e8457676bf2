import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { clearedRefreshCookieOptions, REFRESH_COOKIE, refreshCookieOptions } from '../../auth/cookies.js';
import { z } from 'zod';
import { publicUser } from '../../auth/principal.js';
import { UnauthorizedError } from '../../errors.js';
import type { AppEnv } from '../env.js';
import type { HttpDeps } from '../deps.js';
import { clientIp, requireUser } from '../middleware.js';
import type { RouteRegistry } from '../openapi.js';
import { accessTokenResponse, credentialsSchema, sessionResponse, signupSchema, userSchema } from '../schemas.js';
import { valid } from '../validation.js';

/** The refresh cookie (httpOnly, SameSite=Strict, scoped to /api/v1/auth, Secure in production): the auth module's options. */
function setRefreshCookie(c: Context<AppEnv>, deps: Pick<HttpDeps, 'http'>, token: string, expiresAt: string | Date | undefined): void {
  const maxAgeSeconds = expiresAt ? Math.max(0, Math.floor((new Date(expiresAt).getTime() - Date.now()) / 1000)) : undefined;
  setCookie(c, REFRESH_COOKIE, token, refreshCookieOptions({ secure: deps.http.secureCookies, ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}) }));
}

/** signup, login, refresh, logout, me: rate limited per client IP and per username. */
export function authRoutes(deps: Pick<HttpDeps, 'auth' | 'http' | 'rateLimits' | 'store'>, docs: RouteRegistry): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const limit = (c: Context<AppEnv>, username?: string) => {
    deps.rateLimits.authByIp.take(clientIp(c, deps.http.trustProxy));
    if (username !== undefined) deps.rateLimits.authByUsername.take(username.toLowerCase());
  };

  const signup = docs.add({
    method: 'post',
    path: '/auth/signup',
    tag: 'auth',
    summary: 'Create an account (the first is admin)',
    body: signupSchema,
    status: 201,
    response: sessionResponse,
    refreshCookie: 'sets',
    errors: [403, 409, 429],
  });
  r.post(signup, valid('json', signupSchema), async (c) => {
    const body = c.req.valid('json');
    limit(c, body.username);
    const session = await deps.auth.signup(body);
    setRefreshCookie(c, deps, session.refreshToken, session.refreshExpiresAt);
    return c.json({ user: session.user, accessToken: session.accessToken }, 201);
  });

  const login = docs.add({
    method: 'post',
    path: '/auth/login',
    tag: 'auth',
    summary: 'Log in',
    body: credentialsSchema,
    response: sessionResponse,
    refreshCookie: 'sets',
    errors: [401, 429],
  });
  r.post(login, valid('json', credentialsSchema), async (c) => {
    const body = c.req.valid('json');
    limit(c, body.username);
    const session = await deps.auth.login(body);
    setRefreshCookie(c, deps, session.refreshToken, session.refreshExpiresAt);
    return c.json({ user: session.user, accessToken: session.accessToken });
  });

  const refresh = docs.add({
    method: 'post',
    path: '/auth/refresh',
    tag: 'auth',
    summary: 'New access token from the refresh cookie (rotates it)',
    response: accessTokenResponse,
    refreshCookie: 'both',
    errors: [429],
  });
  r.post(refresh, async (c) => {
    limit(c);
    const token = getCookie(c, REFRESH_COOKIE);
    if (!token) throw new UnauthorizedError('no refresh cookie');
    const next = await deps.auth.refresh(token);
    setRefreshCookie(c, deps, next.refreshToken, next.refreshExpiresAt);
    return c.json({ accessToken: next.accessToken });
  });

  const logout = docs.add({ method: 'post', path: '/auth/logout', tag: 'auth', summary: 'Revoke the refresh token', status: 204, refreshCookie: 'optional' });
  r.post(logout, async (c) => {
    const token = getCookie(c, REFRESH_COOKIE);
    if (token) await deps.auth.logout(token);
    setCookie(c, REFRESH_COOKIE, '', clearedRefreshCookieOptions({ secure: deps.http.secureCookies }));
    return c.body(null, 204);
  });

  const me = docs.add({ method: 'get', path: '/me', tag: 'auth', auth: true, summary: 'The current user', response: z.object({ user: userSchema }) });
  r.get(me, requireUser(deps.auth), async (c) => {
    const principal = c.get('principal');
    const user = await deps.store.users.byId(principal.userId);
    if (!user) throw new UnauthorizedError('the account behind this token no longer exists');
    return c.json({ user: publicUser(user) });
  });
  return r;
}
