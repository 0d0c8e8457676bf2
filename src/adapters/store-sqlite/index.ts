/** The SQLite Store adapter (embedded default). */
export { openSqliteStore } from './open-sqlite-store.js';
export type { SqliteStoreOptions } from './open-sqlite-store.js';
export { MIGRATIONS, appliedMigrations, migrate } from './migrations.js';
export type { Migration } from './migrations.js';
