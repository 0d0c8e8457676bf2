import { structuredPatch } from 'diff';
import type { StructuredPatchHunk } from 'diff';

/** One side of a file diff: its blob id, mode and bytes. */
export interface FileSide {
  readonly oid: string;
  readonly mode: string;
  readonly content: Uint8Array;
}

/** A file to show in a diff: absent before (added) or after (deleted), or both sides. */
export interface FileDiff {
  readonly path: string;
  readonly before: FileSide | undefined;
  readonly after: FileSide | undefined;
}

const NULL_ID = '0000000';
const EMPTY_BLOB_ID = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391';
const NAMED_ESCAPES: Readonly<Record<number, string>> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 34: '"', 92: '\\' };

/** git's core.quotePath: names with control characters, quotes, backslashes or non-ASCII bytes are C-quoted. */
export function quotePath(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (!bytes.some((byte) => byte < 0x20 || byte >= 0x7f || byte === 34 || byte === 92)) return name;
  let quoted = '';
  for (const byte of bytes) {
    const named = NAMED_ESCAPES[byte];
    if (named !== undefined) quoted += `\\${named}`;
    else if (byte < 0x20 || byte >= 0x7f) quoted += `\\${byte.toString(8).padStart(3, '0')}`;
    else quoted += String.fromCharCode(byte);
  }
  return `"${quoted}"`;
}

/** git's test for binary content: a NUL byte in the first 8000 bytes. */
function isBinary(content: Uint8Array | undefined): boolean {
  return content !== undefined && content.subarray(0, 8000).includes(0);
}

/** `start,count` as git prints it: the count is left out when it is 1, and an empty range names the line before. */
function range(start: number, count: number): string {
  if (count === 1) return `${start}`;
  return `${count === 0 ? start - 1 : start},${count}`;
}

/**
 * The hunk header's trailing context, git's default "funcname": the last line
 * before the hunk that starts with a letter, `_` or `$`, cut to 80 bytes and
 * stripped of trailing whitespace.
 */
function functionContext(oldLines: readonly string[], hunkStart: number): string {
  for (let i = Math.min(hunkStart, oldLines.length) - 1; i >= 0; i--) {
    const line = oldLines[i] ?? '';
    if (/^[A-Za-z_$]/.test(line)) {
      const cut = Buffer.from(line, 'utf8').subarray(0, 80).toString('utf8').replace(/\s+$/, '');
      return cut === '' ? '' : ` ${cut}`;
    }
  }
  return '';
}

function formatHunks(before: string, after: string): string {
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: 3 });
  const oldLines = before.split('\n');
  return patch.hunks
    .map((hunk: StructuredPatchHunk) => {
      const header = `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`;
      return `${header}${functionContext(oldLines, hunk.oldStart - 1)}\n${hunk.lines.join('\n')}\n`;
    })
    .join('');
}

/** The header lines git prints between `diff --git` and `---` for a change. */
function extendedHeader({ before, after }: FileDiff): string[] {
  const oldId = before ? before.oid.slice(0, 7) : NULL_ID;
  const newId = after ? after.oid.slice(0, 7) : NULL_ID;
  if (!before && after) return [`new file mode ${after.mode}`, `index ${oldId}..${newId}`];
  if (before && !after) return [`deleted file mode ${before.mode}`, `index ${oldId}..${newId}`];
  if (before && after && before.mode !== after.mode) {
    const modes = [`old mode ${before.mode}`, `new mode ${after.mode}`];
    return before.oid === after.oid ? modes : [...modes, `index ${oldId}..${newId}`];
  }
  return [`index ${oldId}..${newId} ${after?.mode ?? ''}`];
}

/** One file's diff in git's format (`git diff` with default options, no rename detection). */
export function formatFileDiff(file: FileDiff): string {
  const { path, before, after } = file;
  const oldName = quotePath(`a/${path}`);
  const newName = quotePath(`b/${path}`);
  const lines = [`diff --git ${oldName} ${newName}`, ...extendedHeader(file)];
  const from = before ? oldName : '/dev/null';
  const to = after ? newName : '/dev/null';
  const contentChanged = before?.oid !== after?.oid;
  // An added or deleted empty file has no hunks, and git prints no ---/+++ for it.
  const empty = (before?.oid ?? EMPTY_BLOB_ID) === EMPTY_BLOB_ID && (after?.oid ?? EMPTY_BLOB_ID) === EMPTY_BLOB_ID;
  if (contentChanged && !empty) {
    if (isBinary(before?.content) || isBinary(after?.content)) {
      lines.push(`Binary files ${from} and ${to} differ`);
    } else {
      lines.push(`--- ${from}`, `+++ ${to}`);
      const text = (side: FileSide | undefined) => (side ? Buffer.from(side.content).toString('utf8') : '');
      return `${lines.join('\n')}\n${formatHunks(text(before), text(after))}`;
    }
  }
  return `${lines.join('\n')}\n`;
}
