import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { SIGNING_KEY_FILE } from '../../auth/keys.js';

/**
 * Backups of the embedded deployment (SQLite store + DATA_DIR), as ONE
 * SQLite file:
 * - the store, copied with SQLite's online backup (better-sqlite3's
 *   `db.backup`), which is consistent and safe while Berth runs;
 * - the apps repository's files (refs read before objects, so every ref in
 *   the copy points at objects that are in it);
 * - the signing key and the secret-box key when they live in DATA_DIR. When
 *   they come from SIGNING_KEY_JWK / SECRET_BOX_KEY (production), they are
 *   not in the backup and must be kept separately: without the secret-box
 *   key the sealed secrets in the store cannot be opened.
 * The file therefore holds secrets: it is written with mode 0600.
 */
export const STORE_FILE = 'berth.db';
export const SECRET_BOX_KEY_FILE = 'secret-box.key';
const KEY_FILES = [SIGNING_KEY_FILE, SECRET_BOX_KEY_FILE];
const FILES_TABLE = 'berth_backup_files';
const FORMAT = 1;

export interface BackupPaths {
  readonly dataDir: string;
  readonly appsRepo: string;
}

export interface BackupSummary {
  readonly file: string;
  readonly repoFiles: number;
  readonly keys: readonly string[];
  readonly bytes: number;
}

/** Writes a backup to `file` (replaced atomically); Berth may be running. */
export async function createBackup(paths: BackupPaths, file: string): Promise<BackupSummary> {
  const storePath = join(paths.dataDir, STORE_FILE);
  if (!existsSync(storePath)) throw new Error(`no embedded store at ${storePath} (with MONGODB_URI, back up MongoDB with mongodump: see the README)`);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  mkdirSync(dirname(file), { recursive: true });
  const source = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    await source.backup(partial);
  } finally {
    source.close();
  }
  chmodSync(partial, 0o600);
  const copy = new Database(partial);
  try {
    copy.exec(`CREATE TABLE ${FILES_TABLE} (path TEXT PRIMARY KEY, content BLOB NOT NULL, mode INTEGER NOT NULL)`);
    const insert = copy.prepare(`INSERT INTO ${FILES_TABLE} (path, content, mode) VALUES (?, ?, ?)`);
    const keys = KEY_FILES.filter((name) => existsSync(join(paths.dataDir, name)));
    let repoFiles = 0;
    copy.transaction(() => {
      insert.run('meta/format', Buffer.from(String(FORMAT)), 0o600);
      for (const name of keys) insert.run(`data/${name}`, readFileSync(join(paths.dataDir, name)), 0o600);
      // Refs are read (and only then the objects listed): every ref in the copy points at objects in it.
      for (const phase of ['refs', 'objects'] as const) {
        for (const path of repoFilesOf(paths.appsRepo, phase)) {
          const full = join(paths.appsRepo, path);
          insert.run(`apps.git/${path}`, readFileSync(full), statSync(full).mode & 0o777);
          repoFiles += 1;
        }
      }
    })();
    copy.pragma('journal_mode = DELETE');
    copy.close();
    renameSync(partial, file);
    return { file, repoFiles, keys, bytes: statSync(file).size };
  } catch (err) {
    if (copy.open) copy.close();
    rmSync(partial, { force: true });
    throw err;
  }
}

/**
 * Restores a backup into DATA_DIR and the apps repository path. Berth must
 * be stopped; an existing store is only replaced with `force`.
 */
export async function restoreBackup(paths: BackupPaths, file: string, options: { readonly force?: boolean } = {}): Promise<BackupSummary> {
  const storePath = join(paths.dataDir, STORE_FILE);
  if (existsSync(storePath) && !options.force) throw new Error(`${storePath} exists: stop Berth and pass --force to replace it`);
  const backup = new Database(file, { readonly: true, fileMustExist: true });
  let rows: { path: string; content: Buffer; mode: number }[];
  try {
    rows = backup.prepare(`SELECT path, content, mode FROM ${FILES_TABLE} ORDER BY path`).all() as typeof rows;
    if (!rows.some((row) => row.path === 'meta/format')) throw new Error(`${file} is not a Berth backup`);
    mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    const partial = `${storePath}.restoring`;
    rmSync(partial, { force: true });
    await backup.backup(partial);
    const restored = new Database(partial);
    restored.exec(`DROP TABLE ${FILES_TABLE}`);
    restored.close();
    chmodSync(partial, 0o600);
    for (const suffix of ['-wal', '-shm']) rmSync(`${storePath}${suffix}`, { force: true });
    renameSync(partial, storePath);
  } catch (err) {
    if (err instanceof Error && /no such table/.test(err.message)) throw new Error(`${file} is not a Berth backup`);
    throw err;
  } finally {
    backup.close();
  }
  rmSync(paths.appsRepo, { recursive: true, force: true });
  const keys: string[] = [];
  let repoFiles = 0;
  for (const row of rows) {
    const [root, ...rest] = row.path.split('/');
    const path = rest.join('/');
    if (path.split('/').includes('..')) throw new Error(`${file} holds a path outside its folders: ${row.path}`);
    if (root === 'data' && KEY_FILES.includes(path)) {
      writeFileSync(join(paths.dataDir, path), row.content, { mode: 0o600 });
      keys.push(path);
    } else if (root === 'apps.git') {
      const target = join(paths.appsRepo, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, row.content, { mode: row.mode || 0o644 });
      repoFiles += 1;
    }
  }
  return { file, repoFiles, keys, bytes: statSync(file).size };
}

/** The bare repository's files: everything but objects (HEAD, config, refs), or the objects. */
function repoFilesOf(gitdir: string, phase: 'refs' | 'objects'): string[] {
  if (!existsSync(gitdir)) return [];
  const all = listFiles(gitdir).map((path) => relative(gitdir, path).split(sep).join('/'));
  const isObject = (path: string) => path.startsWith('objects/');
  return phase === 'objects' ? all.filter(isObject) : all.filter((path) => !isObject(path) && !path.endsWith('.lock'));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path);
    return entry.isFile() ? [path] : [];
  });
}
