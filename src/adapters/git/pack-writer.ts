import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { ObjectStore } from './object-cache.js';
import type { ObjectType } from './object-writer.js';

const PACK_TYPE: Readonly<Record<ObjectType, number>> = { commit: 1, tree: 2, blob: 3 };

/** Adds `after` and everything below it that `before` does not hold; equal subtrees are skipped unread. */
async function addNewObjects(store: ObjectStore, before: string | undefined, after: string, into: Set<string>): Promise<void> {
  if (before === after || into.has(after)) return;
  into.add(after);
  const [old, next] = await Promise.all([before === undefined ? undefined : store.readTree(before), store.readTree(after)]);
  await Promise.all(
    next.entries.map(async (entry) => {
      const previous = old?.entry(entry.name);
      if (previous?.oid === entry.oid) return;
      if (entry.type === 'tree') await addNewObjects(store, previous?.type === 'tree' ? previous.oid : undefined, entry.oid, into);
      else if (entry.type === 'blob') into.add(entry.oid);
    }),
  );
}

/**
 * The objects a remote that holds the commits `remoteHas` (and so their
 * whole history) is missing to accept `tip`: the commits from `tip` down to
 * those, and per commit only what its tree adds to its first parent's. The
 * cost follows the size of the change, not of the repository (isomorphic-git's
 * push lists every object of both trees, seconds on 10,000 apps). A commit
 * whose history never meets `remoteHas` is sent with its whole tree.
 */
export async function objectsToSend(store: ObjectStore, tip: string, remoteHas: ReadonlySet<string>): Promise<string[]> {
  const found = new Set<string>();
  const pending = [tip];
  for (let commit = pending.pop(); commit !== undefined; commit = pending.pop()) {
    if (remoteHas.has(commit) || found.has(commit)) continue;
    found.add(commit);
    const parsed = await store.readCommit(commit);
    const parent = parsed.parent[0];
    await addNewObjects(store, parent === undefined ? undefined : await store.treeOfCommit(parent), parsed.tree, found);
    pending.push(...parsed.parent);
  }
  return [...found];
}

/** A pack entry's header: type and inflated size in git's little-endian base-128 varint. */
function entryHeader(type: ObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (PACK_TYPE[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/** A version-2 packfile of whole (undeltified) objects, as receive-pack accepts it; zero objects make an empty pack. */
export async function encodePack(store: ObjectStore, oids: readonly string[]): Promise<Buffer> {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(oids.length, 8);
  const entries = await Promise.all(
    oids.map(async (oid) => {
      const { type, content } = await store.readRaw(oid);
      return Buffer.concat([entryHeader(type, content.byteLength), deflateSync(content, { level: 1 })]);
    }),
  );
  const body = Buffer.concat([header, ...entries]);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}
