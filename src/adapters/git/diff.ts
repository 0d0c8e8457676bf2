import type { PathChange } from '../../ports/git.js';
import type { ObjectStore } from './object-cache.js';
import { readSegments } from './paths.js';
import { diffTrees } from './tree-diff.js';
import type { BlobChange, FileEntry } from './tree-diff.js';
import { entryAt } from './tree-view.js';
import type { PathEntry } from './tree-view.js';
import { formatFileDiff } from './unified-diff.js';

/** Files a commit changed relative to its first parent (a root commit: relative to the empty tree). */
export async function readChangesOf(store: ObjectStore, commit: string): Promise<PathChange[]> {
  const parsed = await store.readCommit(commit);
  const changes = await diffTrees(store, await store.treeOfCommit(parsed.parent[0]), parsed.tree);
  const text = (side: FileEntry | undefined) => (side ? store.readText(side.oid) : null);
  return Promise.all(changes.map(async ({ path, before, after }) => ({ path, before: await text(before), after: await text(after) })));
}

/**
 * The changes at or below `path` between two root trees. `path` may name a
 * folder, a file, or something that is a file on one side and a folder on
 * the other; a file sorts before a folder's contents, as in git.
 */
async function changesBelow(store: ObjectStore, fromTree: string, toTree: string, path: string): Promise<BlobChange[]> {
  if (path === '') return diffTrees(store, fromTree, toTree);
  const [before, after] = await Promise.all([entryAt(store, fromTree, path), entryAt(store, toTree, path)]);
  const file = (entry: PathEntry | undefined) => (entry?.type === 'blob' ? entry : undefined);
  const folder = (entry: PathEntry | undefined) => (entry?.type === 'tree' ? entry.oid : undefined);
  const [oldFile, newFile] = [file(before), file(after)];
  const fileChanged = (oldFile || newFile) && (oldFile?.oid !== newFile?.oid || oldFile?.mode !== newFile?.mode);
  const fileChanges: BlobChange[] = fileChanged ? [{ path, before: oldFile, after: newFile }] : [];
  return [...fileChanges, ...(await diffTrees(store, folder(before), folder(after), path))];
}

/** A unified diff in git's format of everything at or below `path` between two commits (undefined: empty). */
export async function renderDiff(store: ObjectStore, from: string | undefined, to: string, path = ''): Promise<string> {
  const [fromTree, toTree] = await Promise.all([store.treeOfCommit(from), store.treeOfCommit(to)]);
  const changes = await changesBelow(store, fromTree, toTree, readSegments(path).join('/'));
  const side = async (entry: FileEntry | undefined) => entry && { oid: entry.oid, mode: entry.mode, content: await store.readBlob(entry.oid) };
  const files = await Promise.all(
    changes.map(async ({ path: file, before, after }) => formatFileDiff({ path: file, before: await side(before), after: await side(after) })),
  );
  return files.join('');
}
