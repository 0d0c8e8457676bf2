import { ConflictError, InputError, GitUnavailableError } from '../../errors.js';
import type { ChangeRequest, CommitInfo, CommitOutcome, GitPort, LogOptions, PathChange, TreeView } from '../../ports/git.js';
import type { BranchPublisher } from './branch-writer.js';
import { BranchWriters } from './branch-writer.js';
import { readChangesOf, renderDiff } from './diff.js';
import { isAncestorOf, readLog, toCommitInfo } from './history.js';
import { assertObjectId, EMPTY_TREE, ObjectStore } from './object-cache.js';
import { resolveOptions } from './options.js';
import type { LocalGitOptions, ResolvedOptions } from './options.js';
import { branchRef } from './paths.js';
import { RefStore } from './ref-store.js';
import { RemoteMirror } from './remote.js';
import { RequestIndex } from './request-index.js';
import { CommitTreeView } from './tree-view.js';

/** The Git port over a local bare repository, with what a process needs to shut down cleanly. */
export interface LocalGit extends GitPort {
  /** Lets queued writes finish, then releases connections; later applies are rejected. */
  close(): Promise<void>;
}

/** Without a remote, a chain lands by compare-and-swap of the local ref. */
function localPublisher(refs: RefStore): BranchPublisher {
  return {
    headFor: (branch) => refs.read(branchRef(branch)),
    publish: async (branch, base, tip) => (await refs.swap(branchRef(branch), base, tip)).swapped,
  };
}

function assertRequestId(requestId: string): void {
  if (typeof requestId !== 'string' || requestId.trim() === '' || requestId.length > 200 || /[\r\n]/.test(requestId)) {
    throw new InputError('requestId must be one line of at most 200 characters', { requestId });
  }
}

class LocalGitAdapter implements LocalGit {
  private readonly store: ObjectStore;
  private readonly refs: RefStore;
  private readonly index: RequestIndex;
  private readonly remote: RemoteMirror | undefined;
  private readonly writers: BranchWriters;
  private closed = false;

  constructor(settings: ResolvedOptions) {
    this.store = new ObjectStore(settings.gitdir, settings.cacheBytes, settings.packReads);
    this.refs = new RefStore(settings.gitdir, settings);
    this.index = new RequestIndex(this.store);
    this.remote = settings.remote && new RemoteMirror(this.store, this.refs, settings.remote);
    this.writers = new BranchWriters(
      { store: this.store, index: this.index, committer: settings.committer, now: settings.now },
      this.remote ?? localPublisher(this.refs),
      { ...settings, maxAttempts: settings.remote?.maxAttempts ?? settings.maxAttempts },
    );
  }

  /**
   * With a remote, the branch is fetched first when the last fetch is older
   * than maxStalenessMs; should the remote be unreachable, reads fall back to
   * the local mirror (writes never do: they fail instead).
   */
  async head(branch: string): Promise<string | undefined> {
    const ref = branchRef(branch);
    await this.remote?.refresh(branch).catch(() => undefined);
    return this.refs.read(ref);
  }

  async tree(commit: string | undefined): Promise<TreeView> {
    if (commit === undefined) return new CommitTreeView(this.store, undefined, EMPTY_TREE);
    return new CommitTreeView(this.store, commit, await this.store.treeOfCommit(assertObjectId(commit)));
  }

  async apply(request: ChangeRequest): Promise<CommitOutcome> {
    if (this.closed) throw new GitUnavailableError('the git adapter is shutting down');
    branchRef(request.branch);
    assertRequestId(request.requestId);
    if (typeof request.plan !== 'function') throw new InputError('a change request needs a plan');
    if (request.base !== undefined) assertObjectId(request.base, 'base');
    if (request.timestamp !== undefined && !(Number.isSafeInteger(request.timestamp) && request.timestamp >= 0)) {
      throw new InputError('timestamp must be whole seconds since the epoch', { timestamp: request.timestamp });
    }
    return this.writers.submit(request.branch, request);
  }

  async findRequest(branch: string, requestId: string): Promise<string | undefined> {
    return this.index.find(branch, await this.head(branch), requestId);
  }

  async log(branch: string, options?: LogOptions): Promise<CommitInfo[]> {
    return readLog(this.store, await this.head(branch), options);
  }

  async readCommit(commit: string): Promise<CommitInfo> {
    return toCommitInfo(commit, await this.store.readCommit(assertObjectId(commit)));
  }

  changesOf(commit: string): Promise<PathChange[]> {
    return readChangesOf(this.store, assertObjectId(commit));
  }

  diff(from: string | undefined, to: string, path?: string): Promise<string> {
    if (from !== undefined) assertObjectId(from);
    return renderDiff(this.store, from, assertObjectId(to), path);
  }

  async updateBranch(branch: string, commit: string, expected: string | undefined): Promise<void> {
    const ref = branchRef(branch);
    await this.store.readCommit(assertObjectId(commit));
    if (expected !== undefined) assertObjectId(expected, 'expected');
    const moved = this.remote ? await this.remote.moveBranch(branch, commit, expected) : (await this.refs.swap(ref, expected, commit)).swapped;
    if (!moved) {
      throw new ConflictError(`branch ${branch} is not at ${expected ?? '(absent)'} any more`, { branch, expected });
    }
  }

  async deleteBranch(branch: string): Promise<void> {
    const ref = branchRef(branch);
    if (this.remote) await this.remote.deleteBranch(branch);
    else await this.refs.force(ref, undefined);
    this.index.forget(branch);
  }

  isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return isAncestorOf(this.store, assertObjectId(ancestor), assertObjectId(descendant));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writers.idle();
    this.remote?.close();
    this.store.close();
  }
}

/**
 * The Git port over isomorphic-git on a local bare repository (no work
 * tree), optionally mirroring a remote over smart HTTP. Writes to one branch
 * are queued in-process and committed in groups with one compare-and-swap of
 * the ref; other processes and `git` itself are handled by re-planning on a
 * moved head. Construction does no I/O.
 */
export function createLocalGit(options: LocalGitOptions): LocalGit {
  return new LocalGitAdapter(resolveOptions(options));
}
