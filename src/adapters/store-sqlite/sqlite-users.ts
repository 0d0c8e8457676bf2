/** Users and refresh tokens on SQLite. */
import type Database from 'better-sqlite3';
import type { RefreshTokenStore, UserStore } from '../../ports/store.js';
import type { RefreshToken, Role, User } from '../../store/types.js';
import { firstUserRoles, normaliseRoles } from '../../store/record-schemas.js';
import { toRefreshToken, toUser } from './rows.js';
import { runSync } from './sqlite-errors.js';

/** The UserStore over an open database. */
export function createSqliteUsers(db: Database.Database): UserStore {
  const insert = db.prepare(
    `INSERT INTO users (id, username, email, password_hash, roles, external_id, created_at)
     VALUES (@id, @username, @email, @passwordHash, @roles, @externalId, @createdAt)`,
  );
  const countAll = db.prepare('SELECT COUNT(*) AS n FROM users').pluck();
  const byId = db.prepare('SELECT * FROM users WHERE id = ?');
  const byUsername = db.prepare('SELECT * FROM users WHERE username = ?');
  const byExternalId = db.prepare('SELECT * FROM users WHERE external_id = ?');
  const list = db.prepare('SELECT * FROM users ORDER BY created_at, username');
  const setRoles = db.prepare('UPDATE users SET roles = ? WHERE id = ? RETURNING *');
  const remove = db.prepare('UPDATE users SET removed_at = COALESCE(removed_at, ?) WHERE id = ? RETURNING *');

  // IMMEDIATE takes the write lock before counting, so two signups on an
  // empty store (even from two processes) cannot both see zero users.
  const create = db.transaction((user: Omit<User, 'roles'> & { readonly roles: readonly Role[] }): User => {
    const isFirst = countAll.get() === 0;
    const roles = isFirst ? firstUserRoles(user.roles) : normaliseRoles(user.roles);
    insert.run({
      id: user.id,
      username: user.username,
      email: user.email,
      passwordHash: user.passwordHash ?? null,
      roles: JSON.stringify(roles),
      externalId: user.externalId ?? null,
      createdAt: user.createdAt,
    });
    return toUser(byId.get(user.id));
  });

  return {
    create: (user) => runSync(() => create.immediate(user)),
    byId: (id) => runSync(() => optional(byId.get(id), toUser)),
    byUsername: (username) => runSync(() => optional(byUsername.get(username), toUser)),
    byExternalId: (externalId) => runSync(() => optional(byExternalId.get(externalId), toUser)),
    list: () => runSync(() => list.all().map(toUser)),
    setRoles: (id, roles) => runSync(() => optional(setRoles.get(JSON.stringify(normaliseRoles(roles)), id), toUser)),
    remove: (id, now) => runSync(() => optional(remove.get(now, id), toUser)),
    count: () => runSync(() => Number(countAll.get())),
  };
}

/** The RefreshTokenStore over an open database. */
export function createSqliteRefreshTokens(db: Database.Database): RefreshTokenStore {
  const insert = db.prepare(
    `INSERT INTO refresh_tokens (hash, user_id, family_id, created_at, expires_at, rotated_at, revoked_at)
     VALUES (@hash, @userId, @familyId, @createdAt, @expiresAt, @rotatedAt, @revokedAt)`,
  );
  const byHash = db.prepare('SELECT * FROM refresh_tokens WHERE hash = ?');
  const markRotated = db.prepare('UPDATE refresh_tokens SET rotated_at = ? WHERE hash = ? AND rotated_at IS NULL AND revoked_at IS NULL');
  const revoke = db.prepare('UPDATE refresh_tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL');
  const revokeFamily = db.prepare('UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL');
  const revokeUser = db.prepare('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL');

  const insertToken = (token: RefreshToken): void => {
    insert.run({ ...token, rotatedAt: token.rotatedAt ?? null, revokedAt: token.revokedAt ?? null });
  };
  // The conditional UPDATE decides the winner; the insert of the successor
  // commits with it or not at all.
  const rotate = db.transaction((hash: string, next: RefreshToken, now: string): boolean => {
    if (markRotated.run(now, hash).changes !== 1) return false;
    insertToken(next);
    return true;
  });

  return {
    insert: (token) => runSync(() => insertToken(token)),
    byHash: (hash) => runSync(() => optional(byHash.get(hash), toRefreshToken)),
    rotate: (hash, next, now) => runSync(() => rotate.immediate(hash, next, now)),
    revoke: (hash, now) => runSync(() => void revoke.run(now, hash)),
    revokeFamily: (familyId, now) => runSync(() => void revokeFamily.run(now, familyId)),
    revokeAllForUser: (userId, now) => runSync(() => void revokeUser.run(now, userId)),
  };
}

/** Maps a row that may be missing. */
export function optional<T>(row: unknown, map: (row: unknown) => T): T | undefined {
  return row === undefined ? undefined : map(row);
}
