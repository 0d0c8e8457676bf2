import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { GitUnavailableError, InvalidNameError, RepositoryError, type InputError } from '../../errors.js';
import { errorCode } from './node-fs.js';
import { LockFile } from './ref-lock.js';
import type { LockTimings } from './ref-lock.js';

/** Outcome of a compare-and-swap: on failure, what the ref holds instead. */
export type SwapResult = { readonly swapped: true } | { readonly swapped: false; readonly current: string | undefined };

const OBJECT_ID = /^[0-9a-f]{40}$/;
const NO_REFS: ReadonlyMap<string, string> = new Map();

/** `<sha> <ref>` lines; `#` headers and `^<sha>` peeled-tag lines are skipped. */
function parsePackedRefs(text: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    const oid = line.slice(0, space);
    if (space === 40 && OBJECT_ID.test(oid)) refs.set(line.slice(space + 1).trim(), oid);
  }
  return refs;
}

function withoutPackedRef(text: string, ref: string): string {
  const kept: string[] = [];
  let droppingPeeled = false;
  for (const line of text.split('\n')) {
    if (droppingPeeled && line.startsWith('^')) continue;
    droppingPeeled = line.length > 41 && line.slice(41) === ref && OBJECT_ID.test(line.slice(0, 40));
    if (!droppingPeeled) kept.push(line);
  }
  return kept.join('\n');
}

/**
 * Branch refs in git's files backend: a loose file `refs/heads/<branch>`
 * wins over an entry in `packed-refs` (written by `git gc` / `git pack-refs`).
 * Every change happens under git's own lock file, so `git update-ref` and
 * `git gc` interoperate.
 */
export class RefStore {
  private packed: { readonly key: string; readonly refs: ReadonlyMap<string, string> } | undefined;

  constructor(
    private readonly gitdir: string,
    private readonly timings: LockTimings,
  ) {}

  private fileOf(ref: string): string {
    return path.join(this.gitdir, ...ref.split('/'));
  }

  /** The commit a ref points at, undefined when it exists neither loose nor packed. */
  async read(ref: string): Promise<string | undefined> {
    const loose = await fsp.readFile(this.fileOf(ref), 'utf8').catch((error: unknown) => {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw error;
    });
    if (loose === undefined) return (await this.readPacked()).get(ref);
    const oid = loose.trim();
    if (!OBJECT_ID.test(oid)) {
      throw new RepositoryError(`ref ${ref} does not hold a commit id (symbolic branch refs are not supported)`, { ref });
    }
    return oid;
  }

  /** packed-refs, parsed again only when the file changed (git replaces it by rename). */
  async readPacked(): Promise<ReadonlyMap<string, string>> {
    const file = path.join(this.gitdir, 'packed-refs');
    const stat = await fsp.stat(file).catch(() => undefined);
    if (!stat) return NO_REFS;
    const key = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (this.packed?.key === key) return this.packed.refs;
    const text = await fsp.readFile(file, 'utf8').catch(() => '');
    const refs = parsePackedRefs(text);
    this.packed = { key, refs };
    return refs;
  }

  /**
   * Points `ref` at `next` (undefined: deletes it) only if it currently
   * points at `expected` (undefined: must not exist).
   */
  async swap(ref: string, expected: string | undefined, next: string | undefined): Promise<SwapResult> {
    const file = this.fileOf(ref);
    const lock = await LockFile.acquire(file, this.timings).catch((error: unknown) => {
      throw errorCode(error) === 'ENOTDIR' ? this.collision(ref) : error;
    });
    let result: SwapResult;
    try {
      const current = await this.read(ref);
      if (current !== expected) {
        result = { swapped: false, current };
      } else if (next === undefined) {
        await this.remove(ref, file);
        result = { swapped: true };
      } else {
        if (expected === undefined) await this.assertNoPackedCollision(ref);
        await this.publish(lock, file, next, ref);
        result = { swapped: true };
      }
    } finally {
      await lock.release();
    }
    // Only now is our own lock gone from the folder.
    if (result.swapped && next === undefined) await this.pruneEmptyFolders(path.dirname(file));
    return result;
  }

  /** Moves `ref` to `oid` whatever it holds now (a mirror following its remote). */
  async force(ref: string, oid: string | undefined): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.read(ref);
      if (current === oid || (await this.swap(ref, current, oid)).swapped) return;
    }
    throw new GitUnavailableError(`${ref} keeps changing underneath; could not set it`, { ref });
  }

  private async publish(lock: LockFile, file: string, oid: string, ref: string): Promise<void> {
    try {
      await lock.commit(file, `${oid}\n`);
    } catch (error) {
      if (errorCode(error) !== 'EISDIR') throw error;
      // An empty folder left by deleted branches (`a/` of `a/b`) may go; a full one is a real collision.
      await fsp.rmdir(file).catch(() => undefined);
      await lock.commit(file, `${oid}\n`).catch(() => {
        throw this.collision(ref);
      });
    }
  }

  /** packed-refs first, then the loose file, as git does: a crash in between leaves the ref, never an old value. */
  private async remove(ref: string, file: string): Promise<void> {
    if ((await this.readPacked()).has(ref)) await this.removePacked(ref);
    await fsp.unlink(file).catch((error: unknown) => {
      const code = errorCode(error);
      if (code !== 'ENOENT' && code !== 'EISDIR') throw error;
    });
  }

  private async removePacked(ref: string): Promise<void> {
    const file = path.join(this.gitdir, 'packed-refs');
    const lock = await LockFile.acquire(file, this.timings);
    try {
      const text = await fsp.readFile(file, 'utf8').catch(() => undefined);
      if (text !== undefined) await lock.commit(file, withoutPackedRef(text, ref));
    } finally {
      await lock.release();
    }
  }

  private async pruneEmptyFolders(dir: string): Promise<void> {
    const refsRoot = path.join(this.gitdir, 'refs');
    for (let current = dir; current.startsWith(`${refsRoot}${path.sep}`); current = path.dirname(current)) {
      if (path.dirname(current) === refsRoot) return;
      const removed = await fsp.rmdir(current).then(
        () => true,
        () => false,
      );
      if (!removed) return;
    }
  }

  private async assertNoPackedCollision(ref: string): Promise<void> {
    for (const other of (await this.readPacked()).keys()) {
      if (other.startsWith(`${ref}/`) || ref.startsWith(`${other}/`)) throw this.collision(ref);
    }
  }

  private collision(ref: string): InputError {
    return new InvalidNameError(`${ref} collides with an existing ref (one branch name is a folder of the other)`, { ref });
  }
}
