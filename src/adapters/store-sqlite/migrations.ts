/**
 * Numbered schema migrations, applied in order inside one IMMEDIATE
 * transaction each, and recorded in `schema_migrations` so that a restart
 * (or two processes opening the same file) applies each exactly once.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';

/** One forward-only schema step. Never edit a released one: add the next. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL COLLATE NOCASE UNIQUE,
        email TEXT NOT NULL COLLATE NOCASE UNIQUE,
        password_hash TEXT,
        roles TEXT NOT NULL,
        external_id TEXT UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE refresh_tokens (
        hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        family_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        rotated_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
      CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);
      CREATE TABLE apps (
        tenant TEXT NOT NULL,
        name TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        draft TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_activity_at TEXT NOT NULL,
        live_commit TEXT,
        live_at TEXT,
        PRIMARY KEY (tenant, name)
      );
      CREATE TABLE deployments (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        app TEXT NOT NULL,
        kind TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT,
        commit_sha TEXT,
        change_request TEXT,
        error TEXT,
        timeline TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        idempotency_key TEXT,
        UNIQUE (requested_by, idempotency_key)
      );
      CREATE INDEX deployments_app ON deployments(tenant, app, created_at);
      CREATE INDEX deployments_open ON deployments(status, created_at);
      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        run_at TEXT NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX jobs_runnable ON jobs(state, run_at);
      CREATE INDEX jobs_leased ON jobs(state, lease_until);
      CREATE INDEX jobs_owner ON jobs(lease_owner, state);
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        until TEXT NOT NULL
      );
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        request_id TEXT,
        outcome TEXT NOT NULL,
        details TEXT
      );
      CREATE INDEX audit_actor ON audit_events(actor, at);
      CREATE INDEX audit_target ON audit_events(target, at);
      CREATE INDEX audit_at ON audit_events(at);
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'removed accounts',
    sql: `ALTER TABLE users ADD COLUMN removed_at TEXT;`,
  },
];

const appliedRow = z.object({ version: z.number().int() });

/** Applies the migrations this file has not seen yet; returns the versions it applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied: number[] = [];
  const isApplied = db.prepare('SELECT version FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    // The check sits inside the IMMEDIATE transaction: a second process
    // opening the file at the same moment waits, then sees it applied.
    const apply = db.transaction(() => {
      if (appliedRow.safeParse(isApplied.get(migration.version)).success) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
      applied.push(migration.version);
    });
    apply.immediate();
  }
  return applied;
}

/** Versions recorded in `schema_migrations`, ascending. */
export function appliedMigrations(db: Database.Database): number[] {
  const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
  return rows.map((row) => appliedRow.parse(row).version);
}
