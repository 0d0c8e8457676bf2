/* Pure: which log lines the Logs panel shows (unit-tested in Node). */

export interface ShownLine {
  readonly at: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** Most lines kept in the page; older ones drop off the top. */
export const MAX_LINES = 2_000;

/** `lines` plus `more`, the oldest dropped past {@link MAX_LINES}. */
export function appendLines<T>(lines: readonly T[], more: readonly T[], max = MAX_LINES): T[] {
  const all = lines.concat(more);
  return all.length > max ? all.slice(all.length - max) : all;
}

/** Lines containing every word of `query` (case-insensitive); an empty query keeps all. */
export function filterLines<T extends ShownLine>(lines: readonly T[], query: string): readonly T[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return lines;
  return lines.filter((line) => {
    const text = line.text.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
