import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import type { RawObject, RawType } from './cat-file-batch.js';
import { LruCache } from './lru.js';

const TYPES: Record<number, RawType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;
const IDX_HEADER = 8 + 256 * 4;

interface Pack {
  readonly name: string;
  readonly idx: number;
  readonly pack: number;
  readonly packSize: number;
  readonly count: number;
  readonly fanout: Buffer;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  const read = readSync(fd, buffer, 0, length, position);
  return read === length ? buffer : buffer.subarray(0, read);
}

/**
 * Reads packed objects in-process by offset, as git does: the object's
 * offset comes from a binary search of the pack's .idx on disk (a dozen
 * 20-byte reads; only the 1 KiB fan-out table is kept), then just that
 * object's bytes are read and inflated, and deltas are resolved against
 * their bases the same way. Nothing proportional to a pack is held in
 * memory. Reads are synchronous: they hit the page cache and are a few
 * microseconds each, cheaper than a thread-pool round trip per read.
 */
export class PackIndexReader {
  private packs: Pack[] | undefined;
  /** Recently resolved delta bases, by pack and offset: delta chains share them. */
  private readonly bases = new LruCache<string, RawObject>(8 * 1024 * 1024, (object) => object.content.byteLength + 64);

  constructor(private readonly gitdir: string) {}

  /** The object, or undefined when no pack holds it. */
  read(oid: string): RawObject | undefined {
    for (let attempt = 0; attempt < 2; attempt++) {
      for (const pack of this.list()) {
        const offset = this.find(pack, oid);
        if (offset !== undefined) return this.readAtOffset(pack, offset);
      }
      // A pack written since we listed (a fetch, a repack): look again once.
      this.reset();
    }
    return undefined;
  }

  /** Forgets the pack list (after a repack) and closes the files. */
  reset(): void {
    for (const pack of this.packs ?? []) {
      closeSync(pack.idx);
      closeSync(pack.pack);
    }
    this.packs = undefined;
    this.bases.clear();
  }

  private list(): Pack[] {
    if (this.packs) return this.packs;
    const dir = path.join(this.gitdir, 'objects', 'pack');
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => name.endsWith('.idx'));
    } catch {
      names = [];
    }
    const packs: Pack[] = [];
    for (const name of names) {
      let idx: number | undefined;
      try {
        idx = openSync(path.join(dir, name), 'r');
        const pack = openSync(path.join(dir, `${name.slice(0, -'.idx'.length)}.pack`), 'r');
        const header = readAt(idx, 0, IDX_HEADER);
        if (header.readUInt32BE(0) !== 0xff744f63 || header.readUInt32BE(4) !== 2) throw new Error(`${name} is not a version 2 pack index`);
        const fanout = Buffer.from(header.subarray(8));
        packs.push({ name, idx, pack, packSize: fstatSync(pack).size, count: fanout.readUInt32BE(255 * 4), fanout });
      } catch {
        // A pack being written or deleted right now: the next listing sees it settled.
        if (idx !== undefined) closeSync(idx);
      }
    }
    this.packs = packs;
    return packs;
  }

  private find(pack: Pack, oid: string): number | undefined {
    const target = Buffer.from(oid, 'hex');
    const first = target[0] ?? 0;
    let lo = first === 0 ? 0 : pack.fanout.readUInt32BE((first - 1) * 4);
    let hi = pack.fanout.readUInt32BE(first * 4);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const order = readAt(pack.idx, IDX_HEADER + mid * 20, 20).compare(target);
      if (order === 0) return this.offsetOf(pack, mid);
      if (order < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  private offsetOf(pack: Pack, index: number): number {
    const offsets = IDX_HEADER + pack.count * 24;
    const small = readAt(pack.idx, offsets + index * 4, 4).readUInt32BE(0);
    if ((small & 0x80000000) === 0) return small;
    const large = offsets + pack.count * 4 + (small & 0x7fffffff) * 8;
    return Number(readAt(pack.idx, large, 8).readBigUInt64BE(0));
  }

  private readAtOffset(pack: Pack, offset: number): RawObject {
    const key = `${pack.name}:${offset}`;
    const cached = this.bases.get(key);
    if (cached) return cached;
    // Header: type and size in a varint, then for deltas the base's position.
    const head = readAt(pack.pack, offset, 32);
    let at = 0;
    let byte = head[at++] ?? 0;
    const type = (byte >> 4) & 7;
    let size = byte & 15;
    let shift = 4;
    while (byte & 0x80) {
      byte = head[at++] ?? 0;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    let base: RawObject | undefined;
    if (type === OFS_DELTA) {
      byte = head[at++] ?? 0;
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        byte = head[at++] ?? 0;
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      base = this.readAtOffset(pack, offset - distance);
    } else if (type === REF_DELTA) {
      const baseOid = head.subarray(at, at + 20).toString('hex');
      at += 20;
      base = this.read(baseOid);
      if (!base) throw new Error(`pack ${pack.name}: delta base ${baseOid} not found`);
    }
    const data = this.inflate(pack, offset + at, size);
    const object = base ? { type: base.type, content: applyDelta(base.content, data) } : { type: TYPES[type] ?? 'blob', content: data };
    if (!TYPES[type] && !base) throw new Error(`pack ${pack.name}: unknown object type ${type} at ${offset}`);
    if (base) this.bases.set(key, object);
    return object;
  }

  /** zlib data of unknown compressed length: read a generous slice and grow it while the stream is cut short. */
  private inflate(pack: Pack, position: number, size: number): Buffer {
    let length = Math.min(size + 256, pack.packSize - position);
    for (;;) {
      try {
        const out = inflateSync(readAt(pack.pack, position, length));
        if (out.length !== size) throw new Error(`pack ${pack.name}: object at ${position} inflates to ${out.length}, not ${size} bytes`);
        return out;
      } catch (error) {
        const cut = (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR';
        if (!cut || length >= pack.packSize - position) throw error;
        length = Math.min(length * 2, pack.packSize - position);
      }
    }
  }
}

function varint(delta: Buffer, start: number): [number, number] {
  let value = 0;
  let shift = 0;
  let at = start;
  let byte: number;
  do {
    byte = delta[at++] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** git's delta format: the result's size, then copies from the base and inserted bytes. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  const [sourceSize, afterSource] = varint(delta, 0);
  if (sourceSize !== base.length) throw new Error(`delta expects a ${sourceSize}-byte base, got ${base.length}`);
  const [targetSize, afterTarget] = varint(delta, afterSource);
  let at = afterTarget;
  const out = Buffer.allocUnsafe(targetSize);
  let written = 0;
  while (at < delta.length) {
    const op = delta[at++] ?? 0;
    if (op & 0x80) {
      let copyOffset = 0;
      let copySize = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) copyOffset += (delta[at++] ?? 0) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (1 << (4 + bit))) copySize += (delta[at++] ?? 0) * 2 ** (8 * bit);
      if (copySize === 0) copySize = 0x10000;
      written += base.copy(out, written, copyOffset, copyOffset + copySize);
    } else if (op > 0) {
      written += delta.copy(out, written, at, at + op);
      at += op;
    } else throw new Error('delta opcode 0 is reserved');
  }
  if (written !== targetSize) throw new Error(`delta produced ${written} bytes, expected ${targetSize}`);
  return out;
}
