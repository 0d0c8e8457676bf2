import type { DirEntry, TreeView } from '../../ports/git.js';
import type { ObjectStore } from './object-cache.js';
import type { GitTreeEntry } from './tree-entry.js';
import { joinPath, readSegments } from './paths.js';

/** What sits at a path: the root itself is a tree without a name. */
export type PathEntry = Pick<GitTreeEntry, 'type' | 'oid' | 'mode'>;

/** The entry at `path` below the tree `rootTree`, undefined when absent. */
export async function entryAt(store: ObjectStore, rootTree: string, path: string): Promise<PathEntry | undefined> {
  let current: PathEntry = { type: 'tree', oid: rootTree, mode: '040000' };
  for (const segment of readSegments(path)) {
    if (current.type !== 'tree') return undefined;
    const next = (await store.readTree(current.oid)).entry(segment);
    if (!next) return undefined;
    current = next;
  }
  return current;
}

/** Every blob below the tree `treeOid`, as path relative to it → blob id, in git's order. */
export async function listBlobs(store: ObjectStore, treeOid: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const visit = async (oid: string, prefix: string): Promise<Array<[string, string]>> => {
    const tree = await store.readTree(oid);
    const nested = await Promise.all(
      tree.entries.map(async (entry): Promise<Array<[string, string]>> => {
        const path = joinPath(prefix, entry.name);
        if (entry.type === 'tree') return visit(entry.oid, path);
        return entry.type === 'blob' ? [[path, entry.oid]] : [];
      }),
    );
    return nested.flat();
  };
  for (const [path, oid] of await visit(treeOid, '')) found.set(path, oid);
  return found;
}

/** {@link TreeView} over one commit's tree; all reads go through the shared object cache. */
export class CommitTreeView implements TreeView {
  constructor(
    private readonly store: ObjectStore,
    readonly commit: string | undefined,
    readonly rootTree: string,
  ) {}

  async readFile(path: string): Promise<string | undefined> {
    const entry = await entryAt(this.store, this.rootTree, path);
    return entry?.type === 'blob' ? this.store.readText(entry.oid) : undefined;
  }

  async listDir(path: string): Promise<DirEntry[] | undefined> {
    const entry = await entryAt(this.store, this.rootTree, path);
    if (entry?.type !== 'tree') return undefined;
    const tree = await this.store.readTree(entry.oid);
    const listed: DirEntry[] = [];
    for (const { name, type, oid } of tree.entries) {
      // Submodule links have no content here; the port only speaks files and folders.
      if (type !== 'commit') listed.push({ name, type, oid });
    }
    return listed;
  }

  async oidAt(path: string): Promise<string | undefined> {
    return (await entryAt(this.store, this.rootTree, path))?.oid;
  }

  async readFiles(dir: string): Promise<Map<string, string>> {
    const entry = await entryAt(this.store, this.rootTree, dir);
    if (entry?.type !== 'tree') return new Map();
    const blobs = await listBlobs(this.store, entry.oid);
    const contents = await Promise.all([...blobs].map(async ([path, oid]) => [path, await this.store.readText(oid)] as const));
    return new Map(contents);
  }
}
