import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { FleetIndexStore } from '../../gitops/fleet-index.js';

/**
 * The fleet index kept in a file (DATA_DIR/fleet-index.json). It is a cache
 * of what the apps repository says, so every replica keeps its own and a
 * lost or corrupt file only costs one full read. Written to a temporary
 * file and renamed, so a crash never leaves half an index.
 */
export function fleetIndexFile(path: string): FleetIndexStore {
  return {
    async load() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async save(text) {
      const temporary = `${path}.${randomUUID()}.tmp`;
      await writeFile(temporary, text, { mode: 0o600 });
      await rename(temporary, path);
    },
  };
}
