/** Leases, the audit trail and settings on SQLite. */
import type Database from 'better-sqlite3';
import type { AuditStore, LeaseStore, SettingsStore } from '../../ports/store.js';
import { toInstant, toJsonText } from '../../store/record-schemas.js';
import { toAuditEvent } from './rows.js';
import { runSync } from './sqlite-errors.js';

/** The LeaseStore over an open database. */
export function createSqliteLeases(db: Database.Database): LeaseStore {
  // One upsert: insert a free name, or take it over when the holder is this
  // owner (renewal) or its lease ran out. Otherwise nothing changes.
  const acquire = db.prepare(
    `INSERT INTO leases (name, owner, until) VALUES (@name, @owner, @until)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
     WHERE leases.owner = excluded.owner OR leases.until <= @now`,
  );
  const release = db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?');
  const acquireOne = db.transaction((params: Record<string, string>) => acquire.run(params).changes === 1);
  return {
    acquire: (name, owner, now, until) => runSync(() => acquireOne.immediate({ name, owner, now: toInstant(now), until: toInstant(until) })),
    release: (name, owner) => runSync(() => void release.run(name, owner)),
  };
}

/** The AuditStore over an open database. */
export function createSqliteAudit(db: Database.Database): AuditStore {
  const insert = db.prepare(
    `INSERT INTO audit_events (id, at, actor, action, target, request_id, outcome, details)
     VALUES (@id, @at, @actor, @action, @target, @requestId, @outcome, @details)`,
  );
  const list = db.prepare(
    `SELECT * FROM audit_events
     WHERE (@actor IS NULL OR actor = @actor) AND (@target IS NULL OR target = @target)
     ORDER BY at DESC, seq DESC LIMIT @limit`,
  );
  return {
    append: (event) =>
      runSync(() => {
        insert.run({
          ...event,
          target: event.target ?? null,
          requestId: event.requestId ?? null,
          details: event.details === undefined ? null : toJsonText(event.details),
        });
      }),
    list: (filter) => runSync(() => list.all({ actor: filter?.actor ?? null, target: filter?.target ?? null, limit: filter?.limit ?? 100 }).map(toAuditEvent)),
  };
}

/** The SettingsStore over an open database: values are kept as JSON text. */
export function createSqliteSettings(db: Database.Database): SettingsStore {
  const get = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
  const put = db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  return {
    get: <T>(key: string) =>
      runSync((): T | undefined => {
        const text = get.get(key);
        // The port leaves the value's shape to the caller (who parses it); JSON null reads as absent.
        return typeof text === 'string' ? (JSON.parse(text) ?? undefined) : undefined;
      }),
    put: (key, value, now) => runSync(() => void put.run(key, toJsonText(value), now)),
  };
}
