import { EMPTY_TREE } from './object-cache.js';
import type { ObjectStore } from './object-cache.js';
import { compareTreeOrder } from './tree-entry.js';
import type { GitTreeEntry } from './tree-entry.js';
import { joinPath } from './paths.js';

/** A file's id and mode on one side of a change. */
export type FileEntry = Pick<GitTreeEntry, 'oid' | 'mode'>;

/** One file that differs between two trees: absent before (added), absent after (deleted), or both. */
export interface BlobChange {
  readonly path: string;
  readonly before: FileEntry | undefined;
  readonly after: FileEntry | undefined;
}

type Side = GitTreeEntry | undefined;

async function filesOf(store: ObjectStore, tree: string | undefined): Promise<GitTreeEntry[]> {
  // Submodule links are not files of this repository.
  return (await store.readTree(tree ?? EMPTY_TREE)).entries.filter((entry) => entry.type !== 'commit');
}

/** Pairs the entries of two folders by name, in git's order (as `git diff-tree` walks them). */
function pairEntries(before: GitTreeEntry[], after: GitTreeEntry[]): Array<[Side, Side]> {
  const pairs: Array<[Side, Side]> = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const left = before[i];
    const right = after[j];
    const order = left && right ? compareTreeOrder(left, right) : left ? -1 : 1;
    if (order < 0) {
      pairs.push([left, undefined]);
      i++;
    } else if (order > 0) {
      pairs.push([undefined, right]);
      j++;
    } else {
      pairs.push([left, right]);
      i++;
      j++;
    }
  }
  return pairs;
}

/**
 * Every file that differs between two trees (undefined: the empty tree),
 * with paths below `prefix`, in git's order. Subtrees with equal ids are
 * skipped without being read, so the cost follows the size of the change,
 * not of the repository. A file replaced by a folder shows as a deletion
 * and additions, as in git.
 */
export async function diffTrees(store: ObjectStore, before: string | undefined, after: string | undefined, prefix = ''): Promise<BlobChange[]> {
  if ((before ?? EMPTY_TREE) === (after ?? EMPTY_TREE)) return [];
  const [left, right] = await Promise.all([filesOf(store, before), filesOf(store, after)]);
  const nested = await Promise.all(
    pairEntries(left, right).map(async ([old, next]): Promise<BlobChange[]> => {
      const path = joinPath(prefix, (old ?? next)?.name ?? '');
      if (old?.type === 'tree' || next?.type === 'tree') {
        return diffTrees(store, old?.oid, next?.oid, path);
      }
      if (old && next && old.oid === next.oid && old.mode === next.mode) return [];
      return [{ path, before: old, after: next }];
    }),
  );
  return nested.flat();
}
