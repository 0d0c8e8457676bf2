import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/adapters/store-sqlite/index.js';
import type { Store } from '../../../src/ports/store.js';

/** A real SQLite store in a fresh temp directory; `cleanup` closes it and removes the files. */
export function openTestStore(): { store: Store; dir: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-auth-'));
  const store = openSqliteStore({ path: join(dir, 'berth.db') });
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-auth-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
