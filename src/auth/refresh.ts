import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';
import type { RefreshTokenStore, UserStore } from '../ports/store.js';
import type { User } from '../store/types.js';

/**
 * Refresh tokens: 32 random bytes, given to the browser once (in an httpOnly
 * cookie) and stored only as their SHA-256. Each use rotates the token; using
 * a token that was already rotated means it was copied, so the whole family
 * (every token descended from that login) is revoked.
 */
export const DEFAULT_REFRESH_TTL_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
/** base64url of 32 bytes is 43 characters; anything else cannot be one of ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface RefreshStores {
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
}

export interface IssuedRefreshToken {
  /** The secret to hand to the client; never stored. */
  readonly token: string;
  readonly familyId: string;
  readonly expiresAt: string;
}

export interface RefreshOptions {
  readonly ttlDays?: number;
}

/** SHA-256 hex: what the store keeps. A fast hash suffices: the token has 256 bits of entropy. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function expiryFrom(now: Date, options: RefreshOptions): string {
  return new Date(now.getTime() + (options.ttlDays ?? DEFAULT_REFRESH_TTL_DAYS) * DAY_MS).toISOString();
}

/** Starts a new family for a fresh login or signup. */
export async function createRefreshToken(
  store: Pick<RefreshStores, 'refreshTokens'>,
  userId: string,
  now: Date,
  options: RefreshOptions = {},
): Promise<IssuedRefreshToken> {
  const token = newToken();
  const familyId = randomUUID();
  const expiresAt = expiryFrom(now, options);
  await store.refreshTokens.insert({ hash: hashRefreshToken(token), userId, familyId, createdAt: now.toISOString(), expiresAt });
  return { token, familyId, expiresAt };
}

const SIGN_IN_AGAIN = 'refresh token is not valid; sign in again';

/**
 * Exchanges a refresh token for a new one in the same family. Reuse of a
 * rotated token (including losing a race against a concurrent rotation)
 * revokes the family: the legitimate holder signs in again, the thief too.
 */
export async function rotateRefreshToken(
  store: RefreshStores,
  token: string,
  now: Date,
  options: RefreshOptions = {},
): Promise<IssuedRefreshToken & { readonly user: User }> {
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) throw new UnauthorizedError(SIGN_IN_AGAIN);
  const hash = hashRefreshToken(token);
  const stored = await store.refreshTokens.byHash(hash);
  const at = now.toISOString();
  if (!stored || stored.revokedAt) throw new UnauthorizedError(SIGN_IN_AGAIN);
  if (stored.rotatedAt) return revokeOnReuse(store, stored.familyId, at);
  if (Date.parse(stored.expiresAt) <= now.getTime()) throw new UnauthorizedError('refresh token has expired; sign in again');
  const user = await store.users.byId(stored.userId);
  if (!user || user.removedAt) throw new UnauthorizedError(SIGN_IN_AGAIN);
  const next = newToken();
  const expiresAt = expiryFrom(now, options);
  const rotated = await store.refreshTokens.rotate(
    hash,
    { hash: hashRefreshToken(next), userId: stored.userId, familyId: stored.familyId, createdAt: at, expiresAt },
    at,
  );
  if (!rotated) return revokeOnReuse(store, stored.familyId, at);
  return { token: next, familyId: stored.familyId, expiresAt, user };
}

async function revokeOnReuse(store: RefreshStores, familyId: string, at: string): Promise<never> {
  await store.refreshTokens.revokeFamily(familyId, at);
  throw new UnauthorizedError('refresh token was already used; every session from that sign-in is revoked');
}

/** Logout: revokes this token's whole family. Unknown or malformed tokens are ignored (logout is idempotent). */
export async function revokeRefreshToken(store: Pick<RefreshStores, 'refreshTokens'>, token: string, now: Date): Promise<void> {
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return;
  const stored = await store.refreshTokens.byHash(hashRefreshToken(token));
  if (!stored) return;
  await store.refreshTokens.revokeFamily(stored.familyId, now.toISOString());
}
