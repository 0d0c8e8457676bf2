import { createHash } from 'node:crypto';
import { Errors, readBlob, readCommit, readTree, writeBlob, writeCommit, writeTree } from 'isomorphic-git';
import type { CommitObject } from 'isomorphic-git';
import { InputError, NotFoundError } from '../../errors.js';
import { LruCache } from './lru.js';
import { gitFs } from './node-fs.js';

/** The id of the tree with no entries; git knows it without storing it. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

const OBJECT_ID = /^[0-9a-f]{40}$/;

/** One entry of a tree; `name` is a single path segment. */
export interface GitTreeEntry {
  readonly name: string;
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly oid: string;
}

/** git sorts a folder as if its name ended in '/', so `a.txt` comes before folder `a`. */
export function treeOrderKey(entry: GitTreeEntry): string {
  return entry.type === 'tree' ? `${entry.name}/` : entry.name;
}

function compareTreeOrder(a: GitTreeEntry, b: GitTreeEntry): number {
  const left = treeOrderKey(a);
  const right = treeOrderKey(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A parsed, immutable tree with its entries in git's order. */
export class Tree {
  private byName: Map<string, GitTreeEntry> | undefined;
  readonly entries: readonly GitTreeEntry[];

  constructor(
    readonly oid: string,
    entries: readonly GitTreeEntry[],
  ) {
    this.entries = [...entries].sort(compareTreeOrder);
  }

  entry(name: string): GitTreeEntry | undefined {
    this.byName ??= new Map(this.entries.map((entry) => [entry.name, entry]));
    return this.byName.get(name);
  }
}

const EMPTY = new Tree(EMPTY_TREE, []);

/** Concurrent reads of one object share one load instead of parsing it N times. */
class SharedLoads<T> {
  private readonly running = new Map<string, Promise<T>>();

  load(oid: string, read: () => Promise<T>): Promise<T> {
    const existing = this.running.get(oid);
    if (existing) return existing;
    const loading = read().finally(() => this.running.delete(oid));
    this.running.set(oid, loading);
    return loading;
  }
}

/** The object id git gives `content` as a blob, without writing anything. */
export function hashBlob(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

/** Rejects strings that cannot be object ids before they reach the object store. */
export function assertObjectId(oid: string, what = 'commit'): string {
  if (typeof oid !== 'string' || !OBJECT_ID.test(oid)) {
    throw new InputError(`${what} id must be 40 lower-case hex digits`, { [what]: oid });
  }
  return oid;
}

function translateMissing(oid: string, kind: string) {
  return (error: unknown): never => {
    if (error instanceof Errors.NotFoundError || error instanceof Errors.ObjectTypeError) {
      throw new NotFoundError(`${kind} ${oid} not found`, { [kind]: oid });
    }
    throw error;
  };
}

/**
 * Reads and writes git objects through isomorphic-git's low-level API. Every
 * call shares one `cache` (isomorphic-git keeps parsed pack indexes and pack
 * data there; without it every read after a `git gc` re-reads and re-hashes
 * the pack). On top, immutable objects are memoised: trees and commits by
 * count, blobs by bytes.
 */
export class ObjectStore {
  /** isomorphic-git's cache; fetch and push get it too. */
  readonly cache = {};
  private readonly trees: LruCache<string, Tree>;
  private readonly commits = new LruCache<string, CommitObject>(20_000);
  private readonly blobs = new LruCache<string, Uint8Array>(32 * 1024 * 1024, (blob) => blob.byteLength + 64);
  private readonly loadingTrees = new SharedLoads<Tree>();
  private readonly loadingBlobs = new SharedLoads<Uint8Array>();
  private readonly loadingCommits = new SharedLoads<CommitObject>();

  constructor(
    readonly gitdir: string,
    treeCacheSize: number,
  ) {
    this.trees = new LruCache(treeCacheSize);
  }

  readTree(oid: string): Promise<Tree> {
    if (oid === EMPTY_TREE) return Promise.resolve(EMPTY);
    const cached = this.trees.get(oid);
    if (cached) return Promise.resolve(cached);
    return this.loadingTrees.load(oid, async () => {
      const { tree } = await readTree({ fs: gitFs, gitdir: this.gitdir, oid, cache: this.cache }).catch(
        translateMissing(oid, 'tree'),
      );
      const parsed = new Tree(
        oid,
        tree.map((entry) => ({ name: entry.path, mode: entry.mode, type: entry.type, oid: entry.oid })),
      );
      this.trees.set(oid, parsed);
      return parsed;
    });
  }

  readBlob(oid: string): Promise<Uint8Array> {
    const cached = this.blobs.get(oid);
    if (cached) return Promise.resolve(cached);
    return this.loadingBlobs.load(oid, async () => {
      const { blob } = await readBlob({ fs: gitFs, gitdir: this.gitdir, oid, cache: this.cache }).catch(
        translateMissing(oid, 'blob'),
      );
      this.blobs.set(oid, blob);
      return blob;
    });
  }

  async readText(oid: string): Promise<string> {
    return Buffer.from(await this.readBlob(oid)).toString('utf8');
  }

  /**
   * A commit object. `remember: false` is for one-off walks over long
   * histories, which would otherwise evict the commits that matter.
   */
  readCommit(oid: string, remember = true): Promise<CommitObject> {
    const cached = this.commits.get(oid);
    if (cached) return Promise.resolve(cached);
    return this.loadingCommits.load(oid, async () => {
      const { commit } = await readCommit({ fs: gitFs, gitdir: this.gitdir, oid, cache: this.cache }).catch(
        translateMissing(oid, 'commit'),
      );
      if (remember) this.commits.set(oid, commit);
      return commit;
    });
  }

  async writeBlob(content: Uint8Array): Promise<string> {
    const oid = await writeBlob({ fs: gitFs, gitdir: this.gitdir, blob: content });
    this.blobs.set(oid, content);
    return oid;
  }

  /** Writes a tree and remembers it, since the next plan usually reads it straight back. */
  async writeTree(entries: readonly GitTreeEntry[]): Promise<string> {
    if (entries.length === 0) {
      // git reads the empty tree without it being stored, fsck does not.
      await writeTree({ fs: gitFs, gitdir: this.gitdir, tree: [] });
      return EMPTY_TREE;
    }
    const oid = await writeTree({
      fs: gitFs,
      gitdir: this.gitdir,
      tree: entries.map((entry) => ({ path: entry.name, mode: entry.mode, type: entry.type, oid: entry.oid })),
    });
    this.trees.set(oid, new Tree(oid, entries));
    return oid;
  }

  async writeCommit(commit: CommitObject): Promise<string> {
    const oid = await writeCommit({ fs: gitFs, gitdir: this.gitdir, commit });
    this.commits.set(oid, commit);
    return oid;
  }

  /** The root tree of a commit. */
  async treeOfCommit(commit: string | undefined): Promise<string> {
    return commit === undefined ? EMPTY_TREE : (await this.readCommit(commit)).tree;
  }
}
