import type { Person } from '../../ports/git.js';
import type { PackReads } from './object-cache.js';

/** Credentials for a remote. Only ever sent in an Authorization header, never logged or put in a URL. */
export interface RemoteAuth {
  readonly username: string;
  readonly password: string;
}

/** The Git host the local bare repository mirrors (any smart-HTTP server). */
export interface RemoteOptions {
  /** http(s) URL of the repository, without credentials. */
  readonly url: string;
  readonly auth?: RemoteAuth;
  /** No byte received for this long (connect, headers or body) fails a request. Default 20000. */
  readonly timeoutMs?: number;
  /** Fetch, re-plan and push rounds per group before giving up. Default: the adapter's maxAttempts. */
  readonly maxAttempts?: number;
  /** Reads (head, log, findRequest) fetch the branch when the last fetch is older than this. Default 1000. */
  readonly maxStalenessMs?: number;
}

/** Options of {@link createLocalGit}. */
export interface LocalGitOptions {
  /** Path of the bare repository (see initBareRepository). */
  readonly gitdir: string;
  /** Berth itself: the committer of every commit; authors come from each request. */
  readonly committer: Person;
  readonly remote?: RemoteOptions;
  /** Compare-and-swap rounds per group before giving up. Default 8. */
  readonly maxAttempts?: number;
  /** A ref lock older than this belongs to a crashed writer and is removed. Default 30000. */
  readonly staleLockMs?: number;
  /** How long to wait for a fresh lock held by someone else. Default 2000. */
  readonly lockWaitMs?: number;
  /** Most requests written as one chain with one ref update. Default 64. */
  readonly maxGroup?: number;
  /**
   * Heap bytes for parsed trees, commits and blobs kept in memory (immutable,
   * so they never go stale). Default 96 MiB: room for a 512 MiB container
   * that also holds the Python validator.
   */
  readonly cacheBytes?: number;
  /** How packed objects are read (see PackReads). Default 'git'. */
  readonly packReads?: PackReads;
  /** First backoff ceiling after a moved head; doubles per attempt up to backoffMaxMs. Default 10. */
  readonly backoffBaseMs?: number;
  /** Default 1000. */
  readonly backoffMaxMs?: number;
  /** Milliseconds since the epoch, for commit times. Default Date.now. */
  readonly now?: () => number;
}

/** {@link RemoteOptions} with every default filled in. */
export interface ResolvedRemote {
  readonly url: string;
  readonly auth: RemoteAuth | undefined;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly maxStalenessMs: number;
}

/** {@link LocalGitOptions} with every default filled in. */
export interface ResolvedOptions {
  readonly gitdir: string;
  readonly committer: Person;
  readonly remote: ResolvedRemote | undefined;
  readonly maxAttempts: number;
  readonly staleLockMs: number;
  readonly lockWaitMs: number;
  readonly maxGroup: number;
  readonly cacheBytes: number;
  readonly packReads: PackReads;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly now: () => number;
}

export const DEFAULT_CACHE_BYTES = 96 * 1024 * 1024;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return chosen;
}

/**
 * Credentials written into the URL (`https://user:token@host/…`) move to
 * `auth`, so no URL the adapter logs or stores in git config carries them.
 */
function withCredentialsInAuth(remote: RemoteOptions): RemoteOptions {
  let url: URL;
  try {
    url = new URL(remote.url);
  } catch {
    throw new RangeError('remote.url must be an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError('remote.url must be an http(s) URL');
  const fromUrl = url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : undefined;
  url.username = '';
  url.password = '';
  return { ...remote, url: url.href, auth: remote.auth ?? fromUrl };
}

/** Fills defaults and rejects nonsense early, at construction rather than on the first commit. */
export function resolveOptions(options: LocalGitOptions): ResolvedOptions {
  if (!options.gitdir) throw new RangeError('gitdir is required');
  if (!options.committer?.name || !options.committer.email) throw new RangeError('committer needs a name and an email');
  const maxAttempts = positiveInteger('maxAttempts', options.maxAttempts, 8);
  const remote = options.remote && withCredentialsInAuth(options.remote);
  return {
    gitdir: options.gitdir,
    committer: { name: options.committer.name, email: options.committer.email },
    remote: remote && {
      url: remote.url.replace(/\/+$/, ''),
      auth: remote.auth,
      timeoutMs: positiveInteger('remote.timeoutMs', remote.timeoutMs, 20_000),
      maxAttempts: positiveInteger('remote.maxAttempts', remote.maxAttempts, maxAttempts),
      maxStalenessMs: positiveInteger('remote.maxStalenessMs', remote.maxStalenessMs, 1_000),
    },
    maxAttempts,
    staleLockMs: positiveInteger('staleLockMs', options.staleLockMs, 30_000),
    lockWaitMs: positiveInteger('lockWaitMs', options.lockWaitMs, 2_000),
    maxGroup: positiveInteger('maxGroup', options.maxGroup, 64),
    cacheBytes: positiveInteger('cacheBytes', options.cacheBytes, DEFAULT_CACHE_BYTES),
    packReads: options.packReads ?? 'git',
    backoffBaseMs: positiveInteger('backoffBaseMs', options.backoffBaseMs, 10),
    backoffMaxMs: positiveInteger('backoffMaxMs', options.backoffMaxMs, 1_000),
    now: options.now ?? Date.now,
  };
}
