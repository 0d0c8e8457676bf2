/** Contract cases: users and refresh tokens. */
import { expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import type { Store } from '../../src/ports/store.js';
import { at, concurrently, newToken, newUser } from './store-fixtures.js';
import type { StoreFixture } from './store-fixtures.js';

export function userCases(current: () => StoreFixture, peers: () => Promise<Store[]>): void {
  const store = (): Store => current().store;

  it('makes the first user admin and later ones what they asked for', async () => {
    const first = await store().users.create(newUser('alice'));
    const second = await store().users.create(newUser('bob', ['editor']));
    expect(first.roles).toEqual(expect.arrayContaining(['admin', 'editor']));
    expect(second.roles).toEqual(['editor']);
    expect(await store().users.count()).toBe(2);
  });

  it('gives exactly one admin to 10 concurrent signups on an empty store', async () => {
    const stores = await peers();
    const created = await concurrently(10, (i) => stores[i % stores.length]!.users.create(newUser(`user${i}`)));
    expect(created.filter((user) => user.roles.includes('admin'))).toHaveLength(1);
    const all = await store().users.list();
    expect(all).toHaveLength(10);
    expect(all.filter((user) => user.roles.includes('admin'))).toHaveLength(1);
  });

  it('finds users by id, username and external id and round-trips every field', async () => {
    const input = { ...newUser('carol'), externalId: 'https://issuer|sub-1', passwordHash: undefined };
    const created = await store().users.create(input);
    expect(created).toMatchObject({ id: input.id, username: 'carol', email: 'carol@example.test', createdAt: at(0) });
    expect(created.passwordHash).toBeUndefined();
    expect(await store().users.byId(input.id)).toEqual(created);
    expect(await store().users.byUsername('carol')).toEqual(created);
    expect(await store().users.byExternalId('https://issuer|sub-1')).toEqual(created);
    expect(await store().users.byId('nobody')).toBeUndefined();
    expect(await store().users.byUsername('nobody')).toBeUndefined();
    expect(await store().users.byExternalId('nobody')).toBeUndefined();
  });

  it('rejects a taken username or email, ignoring case, with ConflictError', async () => {
    await store().users.create(newUser('dave'));
    await expect(store().users.create({ ...newUser('dave'), email: 'other@example.test' })).rejects.toBeInstanceOf(ConflictError);
    await expect(store().users.create({ ...newUser('DAVE'), email: 'x@example.test' })).rejects.toBeInstanceOf(ConflictError);
    await expect(store().users.create({ ...newUser('erin'), email: 'Dave@Example.TEST' })).rejects.toBeInstanceOf(ConflictError);
    expect(await store().users.count()).toBe(1);
  });

  it('marks a user removed once, keeping the row so its username and email stay taken', async () => {
    const user = await store().users.create(newUser('gail'));
    const removed = await store().users.remove(user.id, at(1));
    expect(removed?.removedAt).toBe(at(1));
    expect((await store().users.remove(user.id, at(2)))?.removedAt).toBe(at(1));
    expect((await store().users.byUsername('gail'))?.removedAt).toBe(at(1));
    await expect(store().users.create({ ...newUser('GAIL'), email: 'new@example.test' })).rejects.toBeInstanceOf(ConflictError);
    expect(await store().users.remove('nobody', at(1))).toBeUndefined();
  });

  it('rejects a second user with the same external id', async () => {
    await store().users.create({ ...newUser('fay'), externalId: 'iss|1' });
    await expect(store().users.create({ ...newUser('gus'), externalId: 'iss|1' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('sets roles and lists users', async () => {
    const admin = await store().users.create(newUser('hal'));
    const other = await store().users.create(newUser('ivy'));
    const updated = await store().users.setRoles(other.id, ['reviewer', 'editor']);
    expect(updated?.roles).toEqual(expect.arrayContaining(['reviewer', 'editor']));
    expect(updated?.roles).toHaveLength(2);
    expect((await store().users.byId(other.id))?.roles).toEqual(updated?.roles);
    expect(await store().users.setRoles('nobody', ['admin'])).toBeUndefined();
    expect((await store().users.list()).map((user) => user.id).sort()).toEqual([admin.id, other.id].sort());
  });

  it('rotates a refresh token once: the second rotation of the same token is refused', async () => {
    const user = await store().users.create(newUser('jan'));
    const token = newToken(user.id);
    await store().refreshTokens.insert(token);
    expect(await store().refreshTokens.byHash(token.hash)).toEqual(token);
    const next = newToken(user.id, token.familyId);
    expect(await store().refreshTokens.rotate(token.hash, next, at(10))).toBe(true);
    expect(await store().refreshTokens.rotate(token.hash, newToken(user.id, token.familyId), at(11))).toBe(false);
    expect((await store().refreshTokens.byHash(token.hash))?.rotatedAt).toBe(at(10));
    expect(await store().refreshTokens.byHash(next.hash)).toEqual(next);
  });

  it('lets exactly one of 10 concurrent rotations of one token win, and stores only its successor', async () => {
    const user = await store().users.create(newUser('kim'));
    const token = newToken(user.id);
    await store().refreshTokens.insert(token);
    const stores = await peers();
    const successors = Array.from({ length: 10 }, () => newToken(user.id, token.familyId));
    const results = await concurrently(10, (i) => stores[i % stores.length]!.refreshTokens.rotate(token.hash, successors[i]!, at(5)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await Promise.all(successors.map((next) => store().refreshTokens.byHash(next.hash)));
    expect(stored.filter((found) => found !== undefined)).toHaveLength(1);
    expect(stored[results.indexOf(true)]).toBeDefined();
  });

  it('refuses to rotate revoked tokens and revokes by token, family and user', async () => {
    const user = await store().users.create(newUser('lee'));
    const [a, b] = [newToken(user.id, 'fam-1'), newToken(user.id, 'fam-1')];
    const [c, d] = [newToken(user.id, 'fam-2'), newToken(user.id, 'fam-3')];
    for (const token of [a, b, c, d]) await store().refreshTokens.insert(token);
    await store().refreshTokens.revoke(a.hash, at(1));
    expect(await store().refreshTokens.rotate(a.hash, newToken(user.id, 'fam-1'), at(2))).toBe(false);
    await store().refreshTokens.revokeFamily('fam-1', at(3));
    expect((await store().refreshTokens.byHash(a.hash))?.revokedAt).toBe(at(1));
    expect((await store().refreshTokens.byHash(b.hash))?.revokedAt).toBe(at(3));
    expect((await store().refreshTokens.byHash(c.hash))?.revokedAt).toBeUndefined();
    await store().refreshTokens.revokeAllForUser(user.id, at(4));
    expect((await store().refreshTokens.byHash(c.hash))?.revokedAt).toBe(at(4));
    expect((await store().refreshTokens.byHash(d.hash))?.revokedAt).toBe(at(4));
    expect(await store().refreshTokens.byHash('missing')).toBeUndefined();
  });
}
