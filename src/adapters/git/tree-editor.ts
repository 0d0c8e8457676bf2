import type { FileChange } from '../../ports/git.js';
import { InputError } from '../../errors.js';
import type { ObjectStore } from './object-cache.js';
import type { GitTreeEntry } from './tree-entry.js';
import { hashBlob } from './object-writer.js';
import { writeSegments } from './paths.js';

type EditNode = WriteEdit | DeleteEdit | FolderEdit;

interface WriteEdit {
  readonly kind: 'write';
  readonly content: string;
}

interface DeleteEdit {
  readonly kind: 'delete';
}

interface FolderEdit {
  readonly kind: 'folder';
  /** True when this plan deleted or wrote a file here first: the base tree's folder no longer counts. */
  readonly startEmpty: boolean;
  readonly children: Map<string, EditNode>;
}

/**
 * Folds a change list into a tree of edits. Changes apply in order, so a
 * later change to a path wins, and deleting a folder then writing into it
 * replaces the folder's contents.
 */
function foldChanges(changes: readonly FileChange[]): FolderEdit {
  const root: FolderEdit = { kind: 'folder', startEmpty: false, children: new Map() };
  for (const change of changes) {
    const content: unknown = change?.content;
    if (typeof content !== 'string' && content !== null) {
      throw new InputError('a change needs string content, or null to delete', { path: change?.path });
    }
    const segments = writeSegments(change.path);
    const leaf = segments.pop() ?? '';
    let folder = root;
    for (const segment of segments) {
      const existing = folder.children.get(segment);
      if (existing?.kind === 'folder') {
        folder = existing;
        continue;
      }
      const created: FolderEdit = { kind: 'folder', startEmpty: existing !== undefined, children: new Map() };
      folder.children.set(segment, created);
      folder = created;
    }
    folder.children.set(leaf, content === null ? { kind: 'delete' } : { kind: 'write', content });
  }
  return root;
}

/** Blob entries keep an executable bit; anything else written becomes a regular file. */
function modeFor(existing: GitTreeEntry | undefined): string {
  return existing?.type === 'blob' && existing.mode === '100755' ? '100755' : '100644';
}

/**
 * Applies an edit to a folder. Returns the folder's new tree id, the base id
 * itself when nothing changed (so untouched subtrees keep their ids and are
 * never rewritten), or undefined when the folder ends up empty: git has no
 * empty folders, so deleting a folder's last file removes the folder.
 */
async function applyFolder(store: ObjectStore, baseOid: string | undefined, edit: FolderEdit): Promise<string | undefined> {
  const base = baseOid !== undefined && !edit.startEmpty ? await store.readTree(baseOid) : undefined;
  const entries = new Map((base?.entries ?? []).map((entry) => [entry.name, entry]));
  let changed = edit.startEmpty && baseOid !== undefined;
  const applyChild = async (name: string, node: EditNode): Promise<void> => {
    const existing = entries.get(name);
    if (node.kind === 'delete') {
      if (existing) {
        entries.delete(name);
        changed = true;
      }
      return;
    }
    if (node.kind === 'write') {
      const bytes = Buffer.from(node.content, 'utf8');
      const oid = hashBlob(bytes);
      if (existing?.type === 'blob' && existing.oid === oid) return;
      store.writeBlob(bytes);
      entries.set(name, { name, mode: modeFor(existing), type: 'blob', oid });
      changed = true;
      return;
    }
    const subtree = existing?.type === 'tree' ? existing.oid : undefined;
    const next = await applyFolder(store, subtree, node);
    if (next === undefined) {
      if (subtree !== undefined) {
        entries.delete(name);
        changed = true;
      }
    } else if (next !== subtree) {
      entries.set(name, { name, mode: '040000', type: 'tree', oid: next });
      changed = true;
    }
  };
  await Promise.all([...edit.children].map(([name, node]) => applyChild(name, node)));
  if (!changed) return baseOid;
  if (entries.size === 0) return undefined;
  return store.writeTree([...entries.values()]);
}

/**
 * Writes the blobs and trees for `changes` on top of `rootTree` and returns
 * the new root tree id (equal to `rootTree` when the changes alter nothing).
 * Only the changed paths and their parent folders are written.
 */
export async function applyChanges(store: ObjectStore, rootTree: string, changes: readonly FileChange[]): Promise<string> {
  if (!Array.isArray(changes)) throw new InputError('a plan must return a list of changes');
  const edit = foldChanges(changes);
  return (await applyFolder(store, rootTree, edit)) ?? store.writeTree([]);
}
