import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import type { CommitObject } from 'isomorphic-git';
import type { RawObject, RawType } from './cat-file-batch.js';
import type { GitTreeEntry } from './tree-entry.js';

/*
 * Reading objects without isomorphic-git: a loose object is one inflate, a
 * packed one comes from `git cat-file --batch` (cat-file-batch.ts), and
 * both are parsed here. The inverse of object-writer.ts.
 */

/** A loose object, or undefined when it is not stored loose. */
export async function readLooseObject(gitdir: string, oid: string): Promise<RawObject | undefined> {
  let deflated: Buffer;
  try {
    deflated = await fsp.readFile(path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const wrapped = inflateSync(deflated);
  const space = wrapped.indexOf(32);
  const nul = wrapped.indexOf(0, space);
  const type = wrapped.subarray(0, space).toString('latin1') as RawType;
  const size = Number(wrapped.subarray(space + 1, nul).toString('latin1'));
  const content = wrapped.subarray(nul + 1);
  if (content.length !== size) throw new Error(`loose object ${oid} is truncated`);
  return { type, content };
}

/** `<mode> <name>\0<20-byte id>` entries. */
export function decodeTree(content: Buffer): GitTreeEntry[] {
  const entries: GitTreeEntry[] = [];
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(32, at);
    const nul = content.indexOf(0, space);
    const rawMode = content.subarray(at, space).toString('latin1');
    const mode = rawMode.padStart(6, '0');
    const name = content.subarray(space + 1, nul).toString('utf8');
    const oid = content.subarray(nul + 1, nul + 21).toString('hex');
    const type = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
    entries.push({ name, mode, type, oid });
    at = nul + 21;
  }
  return entries;
}

/** Minutes west of UTC, as isomorphic-git counts them (and keeps -0000 as -0). */
function parseOffset(text: string): number {
  const match = /^([+-])(\d\d)(\d\d)$/.exec(text);
  if (!match) return 0;
  const east = (match[1] === '+' ? 1 : -1) * (Number(match[2]) * 60 + Number(match[3]));
  return east === 0 ? east : -east;
}

function parsePerson(text: string): CommitObject['author'] {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(text);
  if (!match) return { name: text, email: '', timestamp: 0, timezoneOffset: 0 };
  return { name: match[1] ?? '', email: match[2] ?? '', timestamp: Number(match[3]), timezoneOffset: parseOffset(match[4] ?? '') };
}

/** A commit's headers (multi-line ones such as gpgsig folded back) and message. */
export function decodeCommit(content: Buffer): CommitObject {
  const text = content.toString('utf8');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    const last = headers[headers.length - 1];
    if (line.startsWith(' ') && last) last[1] += `\n${line.slice(1)}`;
    else {
      const space = line.indexOf(' ');
      headers.push([line.slice(0, space), line.slice(space + 1)]);
    }
  }
  const value = (key: string) => headers.find(([name]) => name === key)?.[1];
  const gpgsig = value('gpgsig');
  return {
    message,
    tree: value('tree') ?? '',
    parent: headers.filter(([name]) => name === 'parent').map(([, oid]) => oid),
    author: parsePerson(value('author') ?? ''),
    committer: parsePerson(value('committer') ?? ''),
    ...(gpgsig !== undefined ? { gpgsig } : {}),
  };
}
