import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { Errors, readObject } from 'isomorphic-git';
import type { CommitObject } from 'isomorphic-git';
import { InputError, NotFoundError } from '../../errors.js';
import { CatFileBatch, GitMissingError, type RawObject } from './cat-file-batch.js';
import { LruCache } from './lru.js';
import { decodeCommit, decodeTree, readLooseObject } from './object-decode.js';
import { PackIndexReader } from './pack-index-reader.js';
import { compareTreeOrder } from './tree-entry.js';
import type { GitTreeEntry } from './tree-entry.js';
import { gitFs } from './node-fs.js';
import { encodeCommit, encodeObject, encodeTree, writeLooseObject } from './object-writer.js';
import type { EncodedObject, ObjectType } from './object-writer.js';

/** The id of the tree with no entries; git knows it without storing it. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

const OBJECT_ID = /^[0-9a-f]{40}$/;

/**
 * How packed objects are read: `git` (one long-lived cat-file --batch),
 * `pack-index` (in-process, by offset from the pack index) or
 * `isomorphic-git` (whole packs in memory; the fallback where git is missing).
 */
export type PackReads = 'git' | 'pack-index' | 'isomorphic-git';

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

/** Rejects strings that cannot be object ids before they reach the object store. */
export function assertObjectId(oid: string, what = 'commit'): string {
  if (typeof oid !== 'string' || !OBJECT_ID.test(oid)) {
    throw new InputError(`${what} id must be 40 lower-case hex digits`, { [what]: oid });
  }
  return oid;
}

/** How the cache budget is split: parsed trees are what every plan walks, so they get most of it. */
const SHARE = { trees: 0.6, blobs: 0.2, commits: 0.1, recent: 0.1 } as const;

/**
 * Approximate heap bytes of a parsed tree: per entry an object, a 40-char
 * object id string and the name (measured: ~190 bytes for a short name), plus
 * the by-name map once built. An estimate, but one that grows with what the
 * tree really holds, which a count-bounded cache did not (a 100,000-entry
 * tree weighed the same as a 3-entry one).
 */
export function treeWeight(tree: Tree): number {
  let bytes = 96;
  for (const entry of tree.entries) bytes += 230 + entry.name.length * 2;
  return bytes;
}

function commitWeight(commit: CommitObject): number {
  return 600 + commit.message.length * 2 + commit.parent.length * 100;
}

/**
 * Git objects for the adapter. Reads go through isomorphic-git's low-level
 * API, every call sharing one `cache` (isomorphic-git keeps parsed pack
 * indexes and pack data there; without it every read after a `git gc`
 * re-reads and re-hashes the whole pack). Immutable objects are memoised on
 * top, all bounded by bytes within one budget (`cacheBytes`): parsed trees,
 * commits, blobs, and objects written lately.
 */
export class ObjectStore {
  private packCache: object = {};
  private knownPacks = new Set<string>();
  private packsCheckedAt = 0;
  private readonly trees: LruCache<string, Tree>;
  private readonly commits: LruCache<string, CommitObject>;
  private readonly blobs: LruCache<string, Uint8Array>;
  private readonly loadingTrees = new SharedLoads<Tree>();
  private readonly loadingBlobs = new SharedLoads<Uint8Array>();
  private readonly loadingCommits = new SharedLoads<CommitObject>();
  private readonly writing = new Map<string, Promise<void>>();
  /** Objects written lately, kept raw: a push packs them right after. */
  private readonly recent: LruCache<string, EncodedObject>;

  private readonly batch: CatFileBatch;
  private readonly packIndex: PackIndexReader;

  constructor(
    readonly gitdir: string,
    cacheBytes: number,
    private readonly packReads: PackReads = 'git',
  ) {
    this.batch = new CatFileBatch(gitdir);
    this.packIndex = new PackIndexReader(gitdir);
    this.trees = new LruCache(Math.floor(cacheBytes * SHARE.trees), treeWeight);
    this.commits = new LruCache(Math.floor(cacheBytes * SHARE.commits), commitWeight);
    this.blobs = new LruCache(Math.floor(cacheBytes * SHARE.blobs), (blob) => blob.byteLength + 64);
    // Content and the wrapped copy the id was hashed over are both held.
    this.recent = new LruCache(Math.floor(cacheBytes * SHARE.recent), (object) => object.content.byteLength + object.wrapped.byteLength + 64);
  }

  readTree(oid: string): Promise<Tree> {
    if (oid === EMPTY_TREE) return Promise.resolve(EMPTY);
    const cached = this.trees.get(oid);
    if (cached) return Promise.resolve(cached);
    return this.loadingTrees.load(oid, async () => {
      const parsed = new Tree(oid, decodeTree(await this.rawObject(oid, 'tree')));
      this.trees.set(oid, parsed);
      return parsed;
    });
  }

  readBlob(oid: string): Promise<Uint8Array> {
    const cached = this.blobs.get(oid);
    if (cached) return Promise.resolve(cached);
    return this.loadingBlobs.load(oid, async () => {
      const blob = await this.rawObject(oid, 'blob');
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
      const commit = decodeCommit(await this.rawObject(oid, 'commit'));
      if (remember) this.commits.set(oid, commit);
      return commit;
    });
  }

  /** The content of an object of the expected type; NotFoundError when absent or of another type. */
  private async rawObject(oid: string, kind: ObjectType): Promise<Buffer> {
    const found = await this.findObject(oid);
    if (!found || found.type !== kind) throw new NotFoundError(`${kind} ${oid} not found`, { [kind]: oid });
    return found.content;
  }

  /**
   * Loose objects are read and inflated here; packed ones come from a
   * long-lived `git cat-file --batch` (see cat-file-batch.ts for why not
   * isomorphic-git, which stays the fallback where git is not installed).
   */
  private async findObject(oid: string): Promise<RawObject | undefined> {
    await this.written(oid);
    if (this.packReads === 'pack-index') {
      const loose = await readLooseObject(this.gitdir, oid);
      if (loose) return loose;
      await this.cache();
      return this.packIndex.read(oid);
    }
    if (this.packReads === 'git') {
      const loose = await readLooseObject(this.gitdir, oid);
      if (loose) return loose;
      await this.cache();
      try {
        return await this.batch.read(oid);
      } catch (error) {
        if (!(error instanceof GitMissingError)) throw error;
      }
    }
    const found = await readObject({ fs: gitFs, gitdir: this.gitdir, oid, format: 'content', cache: await this.cache() }).catch((error: unknown) => {
      if (error instanceof Errors.NotFoundError) return undefined;
      throw error;
    });
    if (!found || found.format !== 'content') return undefined;
    return { type: found.type as RawObject['type'], content: Buffer.from(found.object) };
  }

  close(): void {
    this.batch.close();
    this.packIndex.reset();
  }

  /**
   * Hashes an object and starts storing it: the id is known at once, so a
   * commit's trees and blobs are written concurrently instead of one
   * file creation after another. {@link flush} before anyone outside this
   * process may look for them.
   */
  private store(type: ObjectType, content: Uint8Array): string {
    const object = encodeObject(type, content);
    this.recent.set(object.oid, object);
    if (!this.writing.has(object.oid)) {
      const write = writeLooseObject(this.gitdir, object);
      // Failures surface in flush(); until then nobody is waiting on this promise.
      write.catch(() => undefined);
      this.writing.set(object.oid, write);
    }
    return object.oid;
  }

  /** Waits until every object handed to the store is on disk; failed writes are forgotten so a retry writes them again. */
  async flush(): Promise<void> {
    const pending = [...this.writing];
    const results = await Promise.allSettled(pending.map(([, write]) => write));
    pending.forEach(([oid, write]) => {
      if (this.writing.get(oid) === write) this.writing.delete(oid);
    });
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * isomorphic-git's cache (fetch gets it too). It keeps every pack it ever
   * read in memory, so after `git gc` replaced the packs, the old ones would
   * stay forever: when a pack we knew disappears, start a new cache. New
   * packs (every fetch adds one) keep the cache. Checked at most once a second.
   */
  async cache(): Promise<object> {
    if (Date.now() - this.packsCheckedAt < 1_000) return this.packCache;
    this.packsCheckedAt = Date.now();
    const listed = await fsp.readdir(path.join(this.gitdir, 'objects', 'pack')).catch(() => []);
    const packs = new Set(listed.filter((name) => name.endsWith('.idx')));
    if ([...this.knownPacks].some((name) => !packs.has(name))) {
      this.packCache = {};
      // git keeps deleted packs mapped (and their disk space taken) until it exits.
      this.batch.restart();
      this.packIndex.reset();
    }
    this.knownPacks = packs;
    return this.packCache;
  }

  /** An object this process is still writing must be on disk before isomorphic-git looks for it. */
  private async written(oid: string): Promise<void> {
    await this.writing.get(oid);
  }

  writeBlob(content: Uint8Array): string {
    const oid = this.store('blob', content);
    this.blobs.set(oid, content);
    return oid;
  }

  /** Writes a tree and remembers it, since the next plan usually reads it straight back. */
  writeTree(entries: readonly GitTreeEntry[]): string {
    const oid = this.store('tree', encodeTree(entries));
    if (oid !== EMPTY_TREE) this.trees.set(oid, new Tree(oid, entries));
    return oid;
  }

  writeCommit(commit: CommitObject): string {
    const oid = this.store('commit', encodeCommit(commit));
    this.commits.set(oid, commit);
    return oid;
  }

  /** An object's type and raw content, for packing. */
  async readRaw(oid: string): Promise<{ readonly type: ObjectType; readonly content: Uint8Array }> {
    const recent = this.recent.get(oid);
    if (recent) return recent;
    const found = await this.findObject(oid);
    if (!found) throw new NotFoundError(`object ${oid} not found`, { object: oid });
    if (found.type !== 'blob' && found.type !== 'tree' && found.type !== 'commit') {
      throw new NotFoundError(`object ${oid} is not a blob, tree or commit`, { object: oid });
    }
    return { type: found.type, content: found.content };
  }

  /** The root tree of a commit. */
  async treeOfCommit(commit: string | undefined): Promise<string> {
    return commit === undefined ? EMPTY_TREE : (await this.readCommit(commit)).tree;
  }
}
