/** One entry of a tree; `name` is a single path segment. */
export interface GitTreeEntry {
  readonly name: string;
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly oid: string;
}

/** Code unit `i` of an entry's name as git sorts it: a folder's name continues with '/'; past the end is -1. */
function sortUnit(entry: GitTreeEntry, i: number): number {
  if (i < entry.name.length) return entry.name.charCodeAt(i);
  return i === entry.name.length && entry.type === 'tree' ? 0x2f : -1;
}

/**
 * git's tree order: names compared as if a folder's name ended in '/', so
 * `a.txt` sorts before folder `a`. Compares without building key strings,
 * since big folders (all tenants) are sorted on every commit. Code-unit
 * order equals git's byte order for every name without astral characters.
 */
export function compareTreeOrder(a: GitTreeEntry, b: GitTreeEntry): number {
  const length = Math.max(a.name.length, b.name.length) + 1;
  for (let i = 0; i < length; i++) {
    const difference = sortUnit(a, i) - sortUnit(b, i);
    if (difference !== 0) return difference;
  }
  return 0;
}
