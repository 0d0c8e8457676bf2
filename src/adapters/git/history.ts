import type { CommitObject } from 'isomorphic-git';
import { parseTrailers, subjectOf } from '../../domain/trailers.js';
import { InputError } from '../../errors.js';
import type { CommitInfo, LogOptions } from '../../ports/git.js';
import type { ObjectStore, Tree } from './object-cache.js';
import type { GitTreeEntry } from './tree-entry.js';
import { readSegments } from './paths.js';

/** The port's view of a parsed commit. */
export function toCommitInfo(sha: string, commit: CommitObject): CommitInfo {
  return {
    sha,
    parents: [...commit.parent],
    message: commit.message,
    subject: subjectOf(commit.message),
    author: { ...commit.author },
    committer: { ...commit.committer },
    trailers: parseTrailers(commit.message),
  };
}

/**
 * Whether two root trees hold the same thing at `segments`. Walks both trees
 * in step and stops at the first level where the ids agree, so a commit that
 * touched another tenant costs one or two tree reads, not a full path walk.
 */
export async function sameAtPath(store: ObjectStore, left: string, right: string, segments: readonly string[]): Promise<boolean> {
  type Here = Pick<GitTreeEntry, 'oid' | 'type'> | undefined;
  let a: Here = { oid: left, type: 'tree' };
  let b: Here = { oid: right, type: 'tree' };
  const subtree = (entry: Here): Promise<Tree | undefined> => (entry?.type === 'tree' ? store.readTree(entry.oid) : Promise.resolve(undefined));
  for (const segment of segments) {
    if (a?.oid === b?.oid) return true;
    const [treeA, treeB]: Array<Tree | undefined> = await Promise.all([subtree(a), subtree(b)]);
    a = treeA?.entry(segment);
    b = treeB?.entry(segment);
  }
  return a?.oid === b?.oid;
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(limit) || limit < 0) throw new InputError('log limit must be a non-negative integer', { limit });
  return limit;
}

/**
 * Commits from `head`, newest first, following first parents (the branch's
 * own line: a merged review branch shows as its merge commit). With a path,
 * only commits whose tree differs from their first parent's at that path.
 */
export async function readLog(store: ObjectStore, head: string | undefined, options: LogOptions = {}): Promise<CommitInfo[]> {
  const limit = checkLimit(options.limit);
  const segments = readSegments(options.path ?? '');
  const found: CommitInfo[] = [];
  let sha = head;
  while (sha !== undefined && found.length < limit) {
    const commit = await store.readCommit(sha);
    const parent = commit.parent[0];
    const touched = segments.length === 0 || !(await sameAtPath(store, commit.tree, await store.treeOfCommit(parent), segments));
    if (touched) found.push(toCommitInfo(sha, commit));
    sha = parent;
  }
  return found;
}

/** Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor, as in git). */
export async function isAncestorOf(store: ObjectStore, ancestor: string, descendant: string): Promise<boolean> {
  const visited = new Set<string>();
  const pending = [descendant];
  for (let commit = pending.pop(); commit !== undefined; commit = pending.pop()) {
    if (commit === ancestor) return true;
    if (visited.has(commit)) continue;
    visited.add(commit);
    pending.push(...(await store.readCommit(commit, false)).parent);
  }
  return false;
}
