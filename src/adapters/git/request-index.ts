import { parseTrailers } from '../../domain/trailers.js';
import { LruCache } from './lru.js';
import type { ObjectStore } from './object-cache.js';

/** What the index needs of a commit; commits are immutable, so this never goes stale. */
interface CommitLinks {
  readonly parents: readonly string[];
  readonly requestIds: readonly string[];
}

interface BranchIndex {
  /** The head everything below was indexed at. */
  readonly head: string | undefined;
  /** Every commit reachable from `head`. */
  readonly seen: Set<string>;
  readonly byRequest: Map<string, string>;
}

/** The trailer that names the request a commit was written for. */
export const REQUEST_TRAILER = 'Berth-Request';

function emptyIndex(): BranchIndex {
  return { head: undefined, seen: new Set(), byRequest: new Map() };
}

/**
 * requestId → commit, per branch: the idempotency check behind every apply.
 * Built by walking the history once, then extended by walking only from a new
 * head down to commits already indexed, so commits written by other
 * processes (or by `git` on the host) are found too. All parents are
 * followed: a request merged in from a review branch is on the branch.
 */
export class RequestIndex {
  private readonly links = new Map<string, CommitLinks>();
  private readonly branches: LruCache<string, BranchIndex>;
  private readonly updating = new Map<string, Promise<BranchIndex>>();

  constructor(
    private readonly store: ObjectStore,
    maxBranches = 64,
  ) {
    this.branches = new LruCache(maxBranches);
  }

  /** Notes a commit this process wrote, so indexing never reads it back. */
  remember(commit: string, parents: readonly string[], message: string): void {
    this.links.set(commit, { parents, requestIds: parseTrailers(message)[REQUEST_TRAILER] ?? [] });
  }

  /** The commit reachable from `head` that carries `Berth-Request: <requestId>`. */
  async find(branch: string, head: string | undefined, requestId: string): Promise<string | undefined> {
    return (await this.indexAt(branch, head)).byRequest.get(requestId);
  }

  /** Drops a deleted branch's index. */
  forget(branch: string): void {
    this.branches.delete(branch);
  }

  /** One update per branch at a time: two walks over the same history would only duplicate work. */
  private indexAt(branch: string, head: string | undefined): Promise<BranchIndex> {
    const previous = this.updating.get(branch);
    const next = (previous ?? Promise.resolve(undefined)).catch(() => undefined).then(() => this.advance(branch, head));
    this.updating.set(branch, next);
    const cleanUp = () => {
      if (this.updating.get(branch) === next) this.updating.delete(branch);
    };
    next.then(cleanUp, cleanUp);
    return next;
  }

  private async advance(branch: string, head: string | undefined): Promise<BranchIndex> {
    const known = this.branches.get(branch);
    if (known && known.head === head) return known;
    let base = known ?? emptyIndex();
    let walk = await this.walkDown(base, head);
    if (!walk.reachedOldHead) {
      base = emptyIndex();
      walk = await this.walkDown(base, head);
    }
    for (const [commit, links] of walk.found) {
      base.seen.add(commit);
      for (const requestId of links.requestIds) {
        if (!base.byRequest.has(requestId)) base.byRequest.set(requestId, commit);
      }
    }
    const index = { head, seen: base.seen, byRequest: base.byRequest };
    this.branches.set(branch, index);
    return index;
  }

  /**
   * The commits reachable from `head` that `index` does not hold yet. When
   * the walk never meets the old head, the old head is not an ancestor
   * (history was rewritten) and the caller rebuilds from scratch: entries may
   * no longer be on the branch. Meeting it is exactly the ancestor test,
   * because every commit the walk stops at is an ancestor of the old head.
   */
  private async walkDown(index: BranchIndex, head: string | undefined): Promise<{ found: Array<[string, CommitLinks]>; reachedOldHead: boolean }> {
    const found: Array<[string, CommitLinks]> = [];
    const visited = new Set<string>();
    let reachedOldHead = index.head === undefined;
    const pending = head === undefined ? [] : [head];
    for (let commit = pending.pop(); commit !== undefined; commit = pending.pop()) {
      if (commit === index.head) reachedOldHead = true;
      if (index.seen.has(commit) || visited.has(commit)) continue;
      visited.add(commit);
      const links = await this.linksOf(commit);
      found.push([commit, links]);
      pending.push(...links.parents);
    }
    return { found, reachedOldHead };
  }

  private async linksOf(commit: string): Promise<CommitLinks> {
    const known = this.links.get(commit);
    if (known) return known;
    const parsed = await this.store.readCommit(commit, false);
    const links = { parents: parsed.parent, requestIds: parseTrailers(parsed.message)[REQUEST_TRAILER] ?? [] };
    this.links.set(commit, links);
    return links;
  }
}
