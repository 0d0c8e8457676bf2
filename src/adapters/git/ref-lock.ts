import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { GitUnavailableError } from '../../errors.js';
import { fullJitterMs, sleep } from '../../backoff.js';
import { errorCode } from './node-fs.js';

/** How long locks may live and how long to wait for one. */
export interface LockTimings {
  /** A lock older than this was left by a crashed writer and is removed. */
  readonly staleLockMs: number;
  /** How long to wait for a live lock before giving up. */
  readonly lockWaitMs: number;
}

/** Someone else holds a ref's lock (a live writer: another replica, or `git`). */
export class RefLockedError extends GitUnavailableError {
  override readonly code = 'ref_locked';
  constructor(lockPath: string, waitedMs: number) {
    super(`${path.basename(lockPath)} is held by another writer (waited ${waitedMs} ms)`, { lock: lockPath });
  }
}

/**
 * Removes the lock if it is older than `staleLockMs`. Checks the same file
 * is still there just before unlinking, which narrows (cannot close: POSIX
 * has no compare-and-unlink) the window in which two cleaners race and one
 * removes the other's fresh lock.
 */
async function removeIfStale(lockPath: string, staleLockMs: number): Promise<boolean> {
  const seen = await fsp.stat(lockPath).catch(() => undefined);
  if (!seen) return true;
  if (Date.now() - seen.mtimeMs <= staleLockMs) return false;
  const again = await fsp.stat(lockPath).catch(() => undefined);
  if (again && again.ino === seen.ino && again.mtimeMs === seen.mtimeMs) {
    await fsp.rm(lockPath, { force: true });
  }
  return true;
}

/**
 * git's lock protocol: `<file>.lock` created exclusively is the right to
 * change `<file>`; renaming the lock over the file publishes the change
 * atomically; deleting the lock abandons it. `git update-ref`, `git gc` and
 * `git pack-refs` follow the same protocol, so they and Berth exclude each
 * other.
 */
export class LockFile {
  private done = false;

  private constructor(readonly lockPath: string) {}

  /** Takes `<target>.lock`, creating parent folders (branch names may contain slashes). */
  static async acquire(target: string, timings: LockTimings): Promise<LockFile> {
    const lockPath = `${target}.lock`;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await fsp.open(lockPath, 'wx');
        await handle.close();
        return new LockFile(lockPath);
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOENT') {
          await fsp.mkdir(path.dirname(lockPath), { recursive: true });
        } else if (code !== 'EEXIST') {
          throw error;
        } else if (!(await removeIfStale(lockPath, timings.staleLockMs))) {
          const waited = Date.now() - started;
          if (waited >= timings.lockWaitMs) throw new RefLockedError(lockPath, waited);
          await sleep(1 + fullJitterMs(attempt, 5, 50));
        }
      }
      if (Date.now() - started > timings.lockWaitMs + 1_000) throw new RefLockedError(lockPath, Date.now() - started);
    }
  }

  /** Writes `content` into the lock and renames it over `target`. */
  async commit(target: string, content: string): Promise<void> {
    await fsp.writeFile(this.lockPath, content);
    await fsp.rename(this.lockPath, target);
    this.done = true;
  }

  /** Abandons the change. Safe to call after commit. */
  async release(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await fsp.rm(this.lockPath, { force: true });
  }
}
