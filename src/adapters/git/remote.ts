import { randomBytes } from 'node:crypto';
import { Errors, fetch, getConfig, push, setConfig } from 'isomorphic-git';
import type { PrePushParams } from 'isomorphic-git';
import { BerthError, TransientError } from '../../errors.js';
import type { BranchPublisher } from './branch-writer.js';
import { RemoteRejectedError } from './git-errors.js';
import { createHttpClient, safeUrl } from './http-client.js';
import type { ClosableHttpClient } from './http-client.js';
import { gitFs } from './node-fs.js';
import type { ResolvedRemote } from './options.js';
import { branchRef } from './paths.js';
import type { RefStore } from './ref-store.js';

const ZERO_ID = '0000000000000000000000000000000000000000';
/** Server-side refusals that no retry can fix (as opposed to "the ref moved"). */
const FINAL_REFUSAL = /declined|denied|denying|protected|forbidden|not allowed|permission/i;

/** Thrown inside onPrePush: the remote's head is not the one we expected. */
class RemoteMovedError extends Error {}

/**
 * The remote side of the adapter: the local bare repository is a mirror
 * whose branches only ever follow the remote. Writers fetch the branch,
 * build on the fetched head, and push the chain non-force through a
 * temporary ref; the push carries the expected old id, so the server's own
 * ref update is the compare-and-swap, and a rejected push is a moved head.
 */
export class RemoteMirror implements BranchPublisher {
  private readonly http: ClosableHttpClient;
  /** Separates the temporary refs of processes sharing one repository. */
  private readonly instance = randomBytes(6).toString('hex');
  private configured: Promise<void> | undefined;
  /** When each branch was last fetched, so reads refresh at most once per maxStalenessMs. */
  private readonly fetched = new Map<string, { readonly at: number; readonly done: Promise<unknown> }>();

  constructor(
    private readonly gitdir: string,
    private readonly cache: object,
    private readonly refs: RefStore,
    private readonly remote: ResolvedRemote,
  ) {
    this.http = createHttpClient(remote.timeoutMs);
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

  async publish(branch: string, base: string | undefined, tip: string): Promise<boolean> {
    const landed = await this.pushRef(branch, tip, base, false);
    if (landed) await this.refs.force(branchRef(branch), tip);
    return landed;
  }

  /** Points the remote branch at `commit` (any commit, not only descendants) if it holds `expected`. */
  async moveBranch(branch: string, commit: string, expected: string | undefined): Promise<boolean> {
    const moved = await this.pushRef(branch, commit, expected, true);
    if (moved) await this.refs.force(branchRef(branch), commit);
    return moved;
  }

  async deleteBranch(branch: string): Promise<void> {
    const ref = branchRef(branch);
    await this.run('push', () =>
      push({
        ...this.connection(),
        // isomorphic-git wants an existing local ref even to delete; HEAD always exists in a bare repository.
        ref: 'HEAD',
        remoteRef: ref,
        delete: true,
        onPrePush: ({ remoteRef }: PrePushParams) => remoteRef.oid !== ZERO_ID,
      }),
    ).catch((error: unknown) => {
      if (!(error instanceof Errors.UserCanceledError)) throw error;
    });
    await this.refs.force(ref, undefined);
  }

  close(): void {
    this.http.close();
  }

  /**
   * isomorphic-git records fetched heads as refs/remotes/origin/* and
   * insists on a fetch refspec for that; with it, `git fetch origin` on the
   * host works too. Values already configured are left alone.
   */
  private configure(): Promise<void> {
    this.configured ??= (async () => {
      const settings = { 'remote.origin.url': safeUrl(this.remote.url), 'remote.origin.fetch': '+refs/heads/*:refs/remotes/origin/*' };
      for (const [path, value] of Object.entries(settings)) {
        const current: unknown = await getConfig({ fs: gitFs, gitdir: this.gitdir, path });
        if (typeof current !== 'string') await setConfig({ fs: gitFs, gitdir: this.gitdir, path, value });
      }
    })();
    return this.configured;
  }

  private async fetchHead(branch: string): Promise<string | undefined> {
    const ref = branchRef(branch);
    await this.configure();
    try {
      const result = await this.run('fetch', () =>
        fetch({ ...this.connection(), ref, remoteRef: ref, singleBranch: true, tags: false }),
      );
      return result.fetchHead ?? undefined;
    } catch (error) {
      if (error instanceof Errors.NotFoundError && error.data.what === ref) return undefined;
      throw error;
    }
  }

  /** Pushes `tip` to the branch if the remote holds `expected`; false when it holds something else. */
  private async pushRef(branch: string, tip: string, expected: string | undefined, force: boolean): Promise<boolean> {
    const outgoing = `refs/berth/outgoing/${this.instance}/${branch}`;
    await this.refs.force(outgoing, tip);
    try {
      const onPrePush = ({ remoteRef }: PrePushParams) => {
        if (remoteRef.oid !== (expected ?? ZERO_ID)) throw new RemoteMovedError();
        return true;
      };
      await this.run('push', () => push({ ...this.connection(), ref: outgoing, remoteRef: branchRef(branch), force, onPrePush }));
      return true;
    } catch (error) {
      if (error instanceof RemoteMovedError || error instanceof Errors.PushRejectedError) return false;
      if (error instanceof Errors.GitPushError) {
        const reasons = Object.values(error.data.result.refs).map((status) => status.error);
        if (reasons.some((reason) => FINAL_REFUSAL.test(reason))) {
          throw new RemoteRejectedError(`the remote refused the push: ${reasons.join('; ')}`, { url: safeUrl(this.remote.url) });
        }
        return false;
      }
      throw error;
    } finally {
      await this.refs.force(outgoing, undefined).catch(() => undefined);
    }
  }

  private connection() {
    const { auth } = this.remote;
    // A fresh object per call: isomorphic-git adds its own headers to it.
    const headers: Record<string, string> = {};
    if (auth) headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    return { fs: gitFs, http: this.http, gitdir: this.gitdir, url: this.remote.url, cache: this.cache, headers };
  }

  /**
   * Runs a remote operation with a hard deadline on top of the per-request
   * timeouts (a safety net should isomorphic-git ever stop consuming a
   * stream), and turns HTTP failures into the port's errors.
   */
  private async run<T>(action: 'fetch' | 'push', operation: () => Promise<T>): Promise<T> {
    const url = safeUrl(this.remote.url);
    const deadlineMs = this.remote.timeoutMs * 6;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransientError(`${action} ${url} took longer than ${deadlineMs} ms`, { url })), deadlineMs);
    });
    try {
      return await Promise.race([operation(), deadline]);
    } catch (error) {
      throw translateRemoteError(error, action, url);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** HTTP and protocol failures as the port's errors; auth problems are final, outages transient. */
function translateRemoteError(error: unknown, action: string, url: string): unknown {
  if (error instanceof BerthError || error instanceof RemoteMovedError) return error;
  if (error instanceof Errors.HttpError) {
    const status = error.data.statusCode;
    if (status === 401 || status === 403) {
      return new RemoteRejectedError(`${action} ${url}: the remote refused the credentials (HTTP ${status})`, { url, status });
    }
    if (status === 404) return new RemoteRejectedError(`${action} ${url}: no repository there (HTTP 404)`, { url, status });
    if (status === 408 || status === 429 || status >= 500) {
      return new TransientError(`${action} ${url}: HTTP ${status}`, { url, status });
    }
    return new RemoteRejectedError(`${action} ${url}: HTTP ${status} ${error.data.statusMessage}`, { url, status });
  }
  if (error instanceof Errors.SmartHttpError || error instanceof Errors.EmptyServerResponseError) {
    return new TransientError(`${action} ${url}: not a smart-HTTP git answer`, { url });
  }
  return error;
}
