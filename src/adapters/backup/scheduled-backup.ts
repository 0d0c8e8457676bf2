import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createBackup, type BackupPaths } from './embedded-backup.js';

/** Scheduled backups land here, newest kept; a name sorts by its time. */
export const backupDir = (dataDir: string) => join(dataDir, 'backups');
const NAME = /^berth-\d{8}T\d{6}Z\.backup$/;

/** One backup now into DATA_DIR/backups, then only the `keep` newest stay. */
export async function backupAndPrune(paths: BackupPaths, keep: number, now: Date): Promise<string> {
  const dir = backupDir(paths.dataDir);
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const file = join(dir, `berth-${stamp}.backup`);
  await createBackup(paths, file);
  const names = readdirSync(dir)
    .filter((name) => NAME.test(name))
    .sort();
  for (const old of names.slice(0, Math.max(0, names.length - keep))) rmSync(join(dir, old), { force: true });
  return file;
}

/**
 * BACKUP_EVERY_HOURS > 0 (embedded store only): a backup every so often,
 * BACKUP_KEEP of them kept. Per replica, no lease: each has its own DATA_DIR.
 * A DATA_DIR backup is no substitute for a copy elsewhere: copy the folder off
 * the machine too.
 */
export function scheduledBackups(options: { readonly paths: BackupPaths; readonly everyHours: number; readonly keep: number; readonly logger: Logger }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const once = () => {
    running = backupAndPrune(options.paths, options.keep, new Date()).then(
      (file) => options.logger.info({ file }, 'scheduled backup written'),
      (err: unknown) => options.logger.error({ err }, 'scheduled backup failed'),
    );
  };
  return {
    start() {
      if (options.everyHours <= 0 || timer) return;
      timer = setInterval(once, options.everyHours * 3_600_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
