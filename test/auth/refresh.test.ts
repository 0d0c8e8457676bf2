import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRefreshToken, hashRefreshToken, revokeRefreshToken, rotateRefreshToken } from '../../src/auth/refresh.js';
import { UnauthorizedError } from '../../src/errors.js';
import type { Store } from '../../src/ports/store.js';
import { openTestStore } from './support/stores.js';

const t0 = new Date('2030-01-01T00:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const DAY = 86_400_000;

let opened: ReturnType<typeof openTestStore>;
let store: Store;
let userId: string;
beforeEach(async () => {
  opened = openTestStore();
  store = opened.store;
  userId = (
    await store.users.create({ id: 'u-1', username: 'alice', email: 'a@example.org', passwordHash: 'x', roles: ['editor'], createdAt: t0.toISOString() })
  ).id;
});
afterEach(async () => opened.cleanup());

describe('refresh tokens', () => {
  it('are 32 random bytes, stored only as their SHA-256, valid 30 days', async () => {
    const issued = await createRefreshToken(store, userId, t0);
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(issued.token, 'base64url')).toHaveLength(32);
    expect(await store.refreshTokens.byHash(issued.token)).toBeUndefined();
    const stored = await store.refreshTokens.byHash(hashRefreshToken(issued.token));
    expect(stored).toMatchObject({ userId, familyId: issued.familyId, expiresAt: later(30 * DAY).toISOString() });
  });

  it('rotate on every use: the new token works, in the same family', async () => {
    const first = await createRefreshToken(store, userId, t0);
    const second = await rotateRefreshToken(store, first.token, later(1000));
    expect(second.user.username).toBe('alice');
    expect(second.familyId).toBe(first.familyId);
    expect(second.token).not.toBe(first.token);
    const third = await rotateRefreshToken(store, second.token, later(2000));
    expect(third.familyId).toBe(first.familyId);
  });

  it('reuse of a rotated token revokes the whole family, including the newest token', async () => {
    const stolen = await createRefreshToken(store, userId, t0);
    const legit = await rotateRefreshToken(store, stolen.token, later(1000));
    await expect(rotateRefreshToken(store, stolen.token, later(2000))).rejects.toThrow(/already used/);
    await expect(rotateRefreshToken(store, legit.token, later(3000))).rejects.toThrow(UnauthorizedError);
    const other = await createRefreshToken(store, userId, t0);
    await expect(rotateRefreshToken(store, other.token, later(4000))).resolves.toBeDefined();
  });

  it('ten concurrent uses of one token: exactly one rotation wins and the family is revoked', async () => {
    const issued = await createRefreshToken(store, userId, t0);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => rotateRefreshToken(store, issued.token, later(1000))));
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(UnauthorizedError);
    if (won[0]?.status === 'fulfilled') await expect(rotateRefreshToken(store, won[0].value.token, later(2000))).rejects.toThrow(UnauthorizedError);
  });

  it('expire after their lifetime', async () => {
    const issued = await createRefreshToken(store, userId, t0, { ttlDays: 1 });
    await expect(rotateRefreshToken(store, issued.token, later(DAY + 1))).rejects.toThrow(/expired/);
  });

  it('logout revokes the family; unknown and malformed tokens are ignored', async () => {
    const issued = await createRefreshToken(store, userId, t0);
    const rotated = await rotateRefreshToken(store, issued.token, later(1000));
    await revokeRefreshToken(store, rotated.token, later(2000));
    await expect(rotateRefreshToken(store, rotated.token, later(3000))).rejects.toThrow(UnauthorizedError);
    await revokeRefreshToken(store, 'A'.repeat(43), later(3000));
    await revokeRefreshToken(store, 'not a token', later(3000));
  });

  it('refuse forged and malformed tokens without touching the store', async () => {
    for (const bad of ['', 'x', 'A'.repeat(43), 'A'.repeat(44), '../../etc/passwd', 'a'.repeat(10_000)]) {
      await expect(rotateRefreshToken(store, bad, t0)).rejects.toThrow(UnauthorizedError);
    }
  });
});
