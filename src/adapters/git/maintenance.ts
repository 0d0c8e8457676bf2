import { execFile } from 'node:child_process';
import { errorCode } from '../fs/errno.js';

function git(gitdir: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', [`--git-dir=${gitdir}`, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr: String(stderr).slice(0, 500) }));
      else resolve(String(stdout));
    });
  });
}

/** What maintenance reports, for logs. */
export interface MaintenanceLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface RepoMaintenanceOptions {
  readonly gitdir: string;
  /** How often to look; `git gc --auto` itself decides whether there is anything to do. */
  readonly everyMs: number;
  /** Loose objects that make a repack worth it (git's own gc.auto default is 6,700). */
  readonly looseThreshold?: number;
  /** Bytes of loose objects on disk that make a repack worth it, however few they are. Default 32 MiB. */
  readonly looseBytesThreshold?: number;
  readonly timeoutMs?: number;
  readonly logger?: MaintenanceLogger;
}

/**
 * Berth writes loose objects and never packs them, so a busy apps
 * repository grows one file per object until reads slow down. This counts
 * the loose objects now and then (an exact count and their size on disk:
 * `gc --auto` only samples one object folder and ignores size) and past
 * either threshold packs them with a geometric repack: the new objects
 * become a small pack, and packs are merged only when a smaller one grows
 * to half the next, so the fleet's big pack is not rewritten for every few
 * thousand deploys as a full `git gc` would. It is safe beside
 * Berth's writers: gc only prunes unreachable objects older than its expiry
 * (two weeks by default), never objects a commit in flight is still writing,
 * and Berth's reader notices replaced packs. Every replica runs it on its own
 * repository, so it needs no lease.
 */
export function createRepoMaintenance(options: RepoMaintenanceOptions) {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let disabled = false;

  const threshold = options.looseThreshold ?? 6_700;
  const bytesThreshold = options.looseBytesThreshold ?? 32 * 1024 * 1024;

  async function maintain(): Promise<void> {
    const counts = await git(options.gitdir, ['count-objects', '-v'], timeoutMs);
    const loose = Number(/^count: (\d+)$/m.exec(counts)?.[1] ?? 0);
    const looseBytes = Number(/^size: (\d+)$/m.exec(counts)?.[1] ?? 0) * 1024;
    if (loose < threshold && looseBytes < bytesThreshold) return;
    const started = Date.now();
    await git(options.gitdir, ['repack', '-d', '-q', '--geometric=2'], timeoutMs);
    options.logger?.info({ loose, looseBytes, ms: Date.now() - started }, 'packed the apps repository');
  }

  function gcOnce(): Promise<void> {
    if (disabled) return Promise.resolve();
    running ??= maintain()
      .catch((error: unknown) => {
        if (errorCode(error) === 'ENOENT') {
          disabled = true;
          options.logger?.warn({}, 'git is not installed: the apps repository will not be repacked');
        } else {
          options.logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'git gc failed; will try again later');
        }
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  return {
    /** Checks once and repacks if needed (concurrent calls share one run). */
    run: gcOnce,
    start(): void {
      timer ??= setInterval(() => void gcOnce(), options.everyMs);
      timer.unref();
    },
    /**
     * Stops the timer. A repack in progress is not waited for: it may take
     * minutes, and git gc is safe to kill, so shutdown does not hang on it.
     */
    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
