import type { CookieOptions } from 'hono/utils/cookie';
import { DEFAULT_REFRESH_TTL_DAYS } from './refresh.js';

/**
 * The refresh token travels only in this cookie: httpOnly (scripts cannot
 * read it, unlike the original's localStorage token), SameSite=Strict (not
 * sent from other sites) and scoped to the auth routes, so every other
 * request carries only the short-lived bearer token.
 */
export const REFRESH_COOKIE = 'berth_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

export interface RefreshCookieInput {
  /** True in production (HTTPS); false only for plain-HTTP local development. */
  readonly secure: boolean;
  readonly maxAgeSeconds?: number;
}

/** Options for hono's setCookie of the refresh token. */
export function refreshCookieOptions(input: RefreshCookieInput): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'Strict',
    path: REFRESH_COOKIE_PATH,
    secure: input.secure,
    maxAge: input.maxAgeSeconds ?? DEFAULT_REFRESH_TTL_DAYS * 24 * 60 * 60,
  };
}

/** Options that make the browser drop the cookie (logout, or a refresh that failed). */
export function clearedRefreshCookieOptions(input: Pick<RefreshCookieInput, 'secure'>): CookieOptions {
  return { ...refreshCookieOptions({ ...input, maxAgeSeconds: 0 }), expires: new Date(0) };
}
