/**
 * The embedded default store: one SQLite file (`$DATA_DIR/berth.db`) through
 * better-sqlite3. Its calls are synchronous and short; the async port wraps
 * them so callers are the same for SQLite and MongoDB.
 */
import Database from 'better-sqlite3';
import type { Store } from '../../ports/store.js';
import { migrate } from './migrations.js';
import { createSqliteApps } from './sqlite-apps.js';
import { createSqliteDeployments } from './sqlite-deployments.js';
import { runSync } from './sqlite-errors.js';
import { createSqliteJobs } from './sqlite-jobs.js';
import { createSqliteAudit, createSqliteLeases, createSqliteSettings } from './sqlite-misc.js';
import { createSqliteRefreshTokens, createSqliteUsers } from './sqlite-users.js';

export interface SqliteStoreOptions {
  /** The database file, or ':memory:' for a throwaway store. */
  readonly path: string;
  /** How long a write waits for another process's lock before failing, ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * `full` (default) fsyncs every commit: an accepted deploy survives even a
   * power cut. `normal` survives a killed process but not a power cut, and
   * makes each write several times cheaper (see the report's measurements).
   */
  readonly synchronous?: 'full' | 'normal';
}

/**
 * Opens (creating if needed) the database, sets WAL, busy_timeout, foreign
 * keys and FULL sync by default (a 202 for a deploy promises the job survives a crash),
 * and applies pending migrations.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const db = new Database(options.path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma(options.synchronous === 'normal' ? 'synchronous = NORMAL' : 'synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const ping = db.prepare('SELECT 1').pluck();
  return {
    users: createSqliteUsers(db),
    refreshTokens: createSqliteRefreshTokens(db),
    apps: createSqliteApps(db),
    deployments: createSqliteDeployments(db),
    jobs: createSqliteJobs(db),
    leases: createSqliteLeases(db),
    audit: createSqliteAudit(db),
    settings: createSqliteSettings(db),
    ping: () => runSync(() => void ping.get()),
    close: () =>
      runSync(() => {
        if (db.open) db.close();
      }),
  };
}
