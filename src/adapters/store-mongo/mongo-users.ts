/** Users and refresh tokens on MongoDB. */
import type { Collection, Db } from 'mongodb';
import type { RefreshTokenStore, UserStore } from '../../ports/store.js';
import type { User } from '../../store/types.js';
import { firstUserRoles, normaliseRoles } from '../../store/record-schemas.js';
import { fromRefreshToken, fromUser, toRefreshToken, toUser } from './mongo-docs.js';
import type { MetaDoc, RefreshTokenDoc, UserDoc } from './mongo-docs.js';
import { guard, isDuplicateKey } from './mongo-errors.js';

/** The marker document whose single successful insert makes its user the admin. */
export const FIRST_ADMIN = 'first-admin';

/**
 * Every new user races to insert the FIRST_ADMIN marker after its own insert
 * succeeded; the unique `_id` lets exactly one win, ever. Claiming after the
 * insert means a signup that fails (a taken name) can never burn the claim.
 * (A crash between the two leaves that user an editor and the next signup
 * becomes admin: still exactly one admin.)
 */
export function createMongoUsers(db: Db): UserStore {
  const users: Collection<UserDoc> = db.collection('users');
  const meta: Collection<MetaDoc> = db.collection('meta');

  async function claimFirstAdmin(user: User): Promise<User> {
    try {
      await meta.insertOne({ _id: FIRST_ADMIN, userId: user.id });
    } catch (error) {
      if (isDuplicateKey(error)) return user;
      throw error;
    }
    const roles = firstUserRoles(user.roles);
    await users.updateOne({ _id: user.id }, { $set: { roles } });
    return { ...user, roles };
  }

  return {
    create: (input) =>
      guard(async () => {
        const user: User = { ...input, roles: normaliseRoles(input.roles) };
        await users.insertOne(fromUser(user));
        return toUser(fromUser(await claimFirstAdmin(user)));
      }),
    byId: (id) => guard(async () => maybe(await users.findOne({ _id: id }), toUser)),
    byUsername: (username) => guard(async () => maybe(await users.findOne({ usernameLower: username.toLowerCase() }), toUser)),
    byExternalId: (externalId) => guard(async () => maybe(await users.findOne({ externalId }), toUser)),
    list: () => guard(async () => (await users.find().sort({ createdAt: 1, usernameLower: 1 }).toArray()).map(toUser)),
    setRoles: (id, roles) =>
      guard(async () => maybe(await users.findOneAndUpdate({ _id: id }, { $set: { roles: normaliseRoles(roles) } }, { returnDocument: 'after' }), toUser)),
    remove: (id, now) =>
      guard(async () => {
        await users.updateOne({ _id: id, removedAt: { $exists: false } }, { $set: { removedAt: now } });
        return maybe(await users.findOne({ _id: id }), toUser);
      }),
    count: () => guard(() => users.countDocuments()),
  };
}

/** The RefreshTokenStore on MongoDB. */
export function createMongoRefreshTokens(db: Db): RefreshTokenStore {
  const tokens: Collection<RefreshTokenDoc> = db.collection('refreshTokens');
  return {
    insert: (token) => guard(async () => void (await tokens.insertOne(fromRefreshToken(token)))),
    byHash: (hash) => guard(async () => maybe(await tokens.findOne({ _id: hash }), toRefreshToken)),
    // The conditional single-document update picks the one winner. The
    // successor is inserted after it; should that insert fail, the mark is
    // undone so the old token stays usable rather than locking the user out.
    rotate: (hash, next, now) =>
      guard(async () => {
        const marked = await tokens.updateOne({ _id: hash, rotatedAt: { $exists: false }, revokedAt: { $exists: false } }, { $set: { rotatedAt: now } });
        if (marked.modifiedCount !== 1) return false;
        try {
          await tokens.insertOne(fromRefreshToken(next));
        } catch (error) {
          await tokens.updateOne({ _id: hash, rotatedAt: now }, { $unset: { rotatedAt: '' } });
          throw error;
        }
        return true;
      }),
    revoke: (hash, now) => guard(async () => void (await tokens.updateOne({ _id: hash, revokedAt: { $exists: false } }, { $set: { revokedAt: now } }))),
    revokeFamily: (familyId, now) =>
      guard(async () => void (await tokens.updateMany({ familyId, revokedAt: { $exists: false } }, { $set: { revokedAt: now } }))),
    revokeAllForUser: (userId, now) =>
      guard(async () => void (await tokens.updateMany({ userId, revokedAt: { $exists: false } }, { $set: { revokedAt: now } }))),
  };
}

/** Maps a document that may be missing. */
export function maybe<T>(doc: unknown, map: (doc: unknown) => T): T | undefined {
  return doc === null || doc === undefined ? undefined : map(doc);
}
