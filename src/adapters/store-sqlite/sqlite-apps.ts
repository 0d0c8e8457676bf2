/** Apps and their drafts on SQLite. */
import type Database from 'better-sqlite3';
import type { AppStore } from '../../ports/store.js';
import { toApp } from './rows.js';
import { runSync } from './sqlite-errors.js';
import { optional } from './sqlite-users.js';

/**
 * The AppStore over an open database. Edits, deploys (`setLive`) and pings
 * (`touch`) all count as activity, and activity only moves forward (MAX), so
 * a late write never makes an app in use look idle to cleanup.
 */
export function createSqliteApps(db: Database.Database): AppStore {
  const insert = db.prepare(
    `INSERT INTO apps (tenant, name, owner_id, draft, created_at, updated_at, last_activity_at, live_commit, live_at)
     VALUES (@tenant, @name, @ownerId, @draft, @createdAt, @updatedAt, @lastActivityAt, @liveCommit, @liveAt)`,
  );
  const get = db.prepare('SELECT * FROM apps WHERE tenant = ? AND name = ?');
  const listAll = db.prepare('SELECT * FROM apps ORDER BY tenant, name');
  const listTenant = db.prepare('SELECT * FROM apps WHERE tenant = ? ORDER BY name');
  const updateDraft = db.prepare(
    `UPDATE apps SET draft = @draft, updated_at = @now, last_activity_at = MAX(last_activity_at, @now)
     WHERE tenant = @tenant AND name = @name RETURNING *`,
  );
  const touch = db.prepare('UPDATE apps SET last_activity_at = MAX(last_activity_at, @now) WHERE tenant = @tenant AND name = @name');
  const setLive = db.prepare(
    `UPDATE apps SET live_commit = @commit, live_at = @at, last_activity_at = MAX(last_activity_at, @at)
     WHERE tenant = @tenant AND name = @name`,
  );
  const remove = db.prepare('DELETE FROM apps WHERE tenant = ? AND name = ?');

  return {
    create: (app) =>
      runSync(() => {
        insert.run({
          ...app,
          draft: JSON.stringify(app.draft),
          liveCommit: app.liveCommit ?? null,
          liveAt: app.liveAt ?? null,
        });
        return toApp(get.get(app.tenant, app.name));
      }),
    get: (tenant, name) => runSync(() => optional(get.get(tenant, name), toApp)),
    list: (filter) => runSync(() => (filter?.tenant === undefined ? listAll.all() : listTenant.all(filter.tenant)).map(toApp)),
    updateDraft: (tenant, name, draft, now) => runSync(() => optional(updateDraft.get({ tenant, name, draft: JSON.stringify(draft), now }), toApp)),
    touch: (tenant, name, now) => runSync(() => void touch.run({ tenant, name, now })),
    setLive: (tenant, name, commit, at) => runSync(() => void setLive.run({ tenant, name, commit, at })),
    remove: (tenant, name) => runSync(() => void remove.run(tenant, name)),
  };
}
