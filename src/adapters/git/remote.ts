import { Errors, fetch, getConfig, setConfig } from 'isomorphic-git';
import { BerthError, GitUnavailableError, RetryExhaustedError } from '../../errors.js';
import type { BranchPublisher } from './branch-writer.js';
import { httpStatusError, RemoteRejectedError } from './git-errors.js';
import { isAncestorOf } from './history.js';
import { createHttpClient, safeUrl } from './http-client.js';
import type { ClosableHttpClient } from './http-client.js';
import { gitFs } from './node-fs.js';
import type { ObjectStore } from './object-cache.js';
import type { ResolvedRemote } from './options.js';
import { encodePack, objectsToSend } from './pack-writer.js';
import { branchRef } from './paths.js';
import { discoverReceivePack, sendReceivePack } from './receive-pack.js';
import type { Advertisement, RefCommand } from './receive-pack.js';
import type { RefStore } from './ref-store.js';

/** Refusals that mean "the ref is no longer what you said": re-plan and retry. Anything else is final. */
const MOVED = /fetch first|non-fast-forward|stale info|failed to lock|cannot lock|failed to update|but expected|already exists/i;

/**
 * The remote side of the adapter: the local bare repository is a mirror
 * whose branches only ever follow the remote. Writers fetch the branch
 * (isomorphic-git's fetch), build on the fetched head, and push the chain
 * with one receive-pack update whose old id is the fetched head: the
 * server's own ref update is the compare-and-swap, and a refused update is a
 * moved head. The local branch moves only after the remote accepted.
 */
export class RemoteMirror implements BranchPublisher {
  private readonly http: ClosableHttpClient;
  private readonly url: string;
  private configured: Promise<void> | undefined;
  /** When each branch was last fetched, so reads refresh at most once per maxStalenessMs. */
  private readonly fetched = new Map<string, { readonly at: number; readonly done: Promise<unknown> }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly refs: RefStore,
    private readonly remote: ResolvedRemote,
  ) {
    this.http = createHttpClient(remote.timeoutMs);
    this.url = safeUrl(remote.url);
  }

  /** Fetches the branch and moves the local branch to the remote's head. */
  async headFor(branch: string): Promise<string | undefined> {
    const done = this.fetchHead(branch).then(async (head) => {
      await this.refs.force(branchRef(branch), head);
      return head;
    });
    this.fetched.set(branch, { at: Date.now(), done });
    return done;
  }

  /**
   * Brings the local branch up to the remote unless it was fetched within
   * maxStalenessMs, so reads on a replica see what others pushed without a
   * round trip per read. Concurrent callers share one fetch.
   */
  async refresh(branch: string): Promise<void> {
    const last = this.fetched.get(branch);
    if (last && Date.now() - last.at < this.remote.maxStalenessMs) {
      await last.done;
      return;
    }
    await this.headFor(branch);
  }

  publish(branch: string, base: string | undefined, tip: string): Promise<boolean> {
    return this.update(branchRef(branch), base, tip);
  }

  /** Points the remote branch at `commit` (any commit, not only descendants) if it holds `expected`. */
  moveBranch(branch: string, commit: string, expected: string | undefined): Promise<boolean> {
    return this.update(branchRef(branch), expected, commit);
  }

  async deleteBranch(branch: string): Promise<void> {
    const ref = branchRef(branch);
    for (let attempt = 0; attempt < this.remote.maxAttempts; attempt++) {
      const advertised = await this.advertise();
      const current = advertised.refs.get(ref);
      if (current === undefined || (await this.update(ref, current, undefined, advertised))) {
        this.fetched.delete(branch);
        return this.refs.force(ref, undefined);
      }
    }
    throw new RetryExhaustedError(`${ref} kept moving on the remote and was not deleted`, { ref });
  }

  close(): void {
    this.http.close();
  }

  private headers(): Record<string, string> {
    const { auth } = this.remote;
    // A fresh object per call: isomorphic-git adds its own headers to the one it is given.
    const headers: Record<string, string> = { 'user-agent': 'git/berth' };
    if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    return headers;
  }

  private advertise(): Promise<Advertisement> {
    return this.run('push', () => discoverReceivePack(this.http, this.remote.url, this.headers()));
  }

  /**
   * Updates `ref` from `expected` to `next` (undefined: delete) on the
   * remote, sending only the objects it lacks; then the local ref follows.
   * False when the remote holds something else.
   */
  private async update(ref: string, expected: string | undefined, next: string | undefined, known?: Advertisement): Promise<boolean> {
    const advertised = known ?? (await this.advertise());
    if (advertised.refs.get(ref) !== expected) return false;
    const command: RefCommand = { ref, old: expected, next };
    const pack = next === undefined ? undefined : await encodePack(this.store, await this.missingObjects(next, expected, advertised));
    const report = await this.run('push', () => sendReceivePack(this.http, this.remote.url, this.headers(), advertised, command, pack));
    if (report.unpack !== 'ok') throw new RemoteRejectedError(`push ${this.url}: the remote could not unpack: ${report.unpack}`, { url: this.url });
    if (!report.refOk) {
      if (MOVED.test(report.reason ?? '')) return false;
      throw new RemoteRejectedError(`push ${this.url}: the remote refused ${ref}: ${report.reason}`, { url: this.url, ref });
    }
    await this.refs.force(ref, next);
    return true;
  }

  /** What the remote lacks to hold `commit`: nothing when it is (an ancestor of) the ref's current value. */
  private async missingObjects(commit: string, expected: string | undefined, advertised: Advertisement): Promise<string[]> {
    const remoteHas = new Set(advertised.refs.values());
    if (remoteHas.has(commit)) return [];
    if (expected !== undefined && (await isAncestorOf(this.store, commit, expected))) return [];
    return objectsToSend(this.store, commit, remoteHas);
  }

  /**
   * isomorphic-git records fetched heads as refs/remotes/origin/* and
   * insists on a fetch refspec for that; with it, `git fetch origin` on the
   * host works too. Values already configured are left alone.
   */
  private configure(): Promise<void> {
    this.configured ??= (async () => {
      const settings = { 'remote.origin.url': this.url, 'remote.origin.fetch': '+refs/heads/*:refs/remotes/origin/*' };
      for (const [path, value] of Object.entries(settings)) {
        const current: unknown = await getConfig({ fs: gitFs, gitdir: this.store.gitdir, path });
        if (typeof current !== 'string') await setConfig({ fs: gitFs, gitdir: this.store.gitdir, path, value });
      }
    })();
    return this.configured;
  }

  private async fetchHead(branch: string): Promise<string | undefined> {
    const ref = branchRef(branch);
    await this.configure();
    const connection = { fs: gitFs, http: this.http, gitdir: this.store.gitdir, url: this.remote.url, cache: await this.store.cache() };
    try {
      const result = await this.run('fetch', () => fetch({ ...connection, headers: this.headers(), ref, remoteRef: ref, singleBranch: true, tags: false }));
      return result.fetchHead ?? undefined;
    } catch (error) {
      if (error instanceof Errors.NotFoundError && error.data.what === ref) return undefined;
      throw error;
    }
  }

  /**
   * Runs a remote operation with a hard deadline on top of the per-request
   * timeouts (a safety net should a stream never end), and turns
   * isomorphic-git's HTTP failures into the port's errors.
   */
  private async run<T>(action: 'fetch' | 'push', operation: () => Promise<T>): Promise<T> {
    // Generous: a first fetch of a large repository spends many seconds indexing the pack locally.
    const deadlineMs = Math.max(this.remote.timeoutMs * 30, 60_000);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GitUnavailableError(`${action} ${this.url} took longer than ${deadlineMs} ms`, { url: this.url })), deadlineMs);
    });
    try {
      return await Promise.race([operation(), deadline]);
    } catch (error) {
      throw translateRemoteError(error, action, this.url);
    } finally {
      clearTimeout(timer);
    }
  }
}

function translateRemoteError(error: unknown, action: string, url: string): unknown {
  if (error instanceof BerthError) return error;
  if (error instanceof Errors.HttpError) return httpStatusError(action, url, error.data.statusCode, error.data.statusMessage);
  if (error instanceof Errors.SmartHttpError || error instanceof Errors.EmptyServerResponseError) {
    return new GitUnavailableError(`${action} ${url}: not a smart-HTTP git answer`, { url });
  }
  return error;
}
