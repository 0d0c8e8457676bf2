/**
 * Which files of an app folder `berth deploy` / `berth push` upload. Nothing is
 * dropped silently: a file Berth cannot take refuses the upload, naming it and
 * why, unless `.berthignore` (gitignore syntax) names it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import ignoreModule from 'ignore';
import { CODE_EXTENSIONS, codePathProblem } from '../domain/code-paths.js';
import { CODE_LIMITS } from '../validate/prechecks.js';
import { RefusedError } from './command.js';

// ignore 5 is CommonJS whose types say `export default`; at run time the default import is the factory and has `.default`.
const ignore = (ignoreModule as unknown as { default: () => ReturnType<typeof ignoreModule.default> }).default;

export const IGNORE_FILE = '.berthignore';
/** Never uploaded and never reported: Berth's own file, the ignore file, Git's folder, Python's byte-code cache. */
const ALWAYS_SKIPPED = new Set(['berth.json', IGNORE_FILE, '.git', '__pycache__']);

export interface RefusedFile {
  readonly path: string;
  readonly reason: string;
}

export interface FolderFiles {
  readonly files: Record<string, string>;
  readonly refused: readonly RefusedFile[];
  /** How many files .berthignore left out (said in the output, so that is not silent either). */
  readonly ignored: number;
}

/** Why one file cannot be uploaded, in the terms a person can fix: hidden, case, extension, size, not text. */
function refusalOf(path: string, bytes: Buffer): string | undefined {
  const name = path.split('/').pop() ?? path;
  if (path.split('/').some((segment) => segment.startsWith('.'))) return 'hidden (name starts with "."); add it to .berthignore';
  const problem = codePathProblem(path);
  if (problem) {
    if (codePathProblem(path.toLowerCase()) === undefined) return `upper-case letters: Berth paths are lower-case (rename it to ${path.toLowerCase()})`;
    const extension = /\.([^.]+)$/.exec(name)?.[1];
    if (!extension || !(CODE_EXTENSIONS as readonly string[]).includes(extension.toLowerCase())) {
      return `extension ${extension ? `.${extension}` : '(none)'} is not one Berth serves (.${CODE_EXTENSIONS.join(', .')}); add it to .berthignore`;
    }
    return `path ${problem}`;
  }
  if (bytes.length > CODE_LIMITS.maxFileBytes) return `size ${bytes.length} bytes is over the ${CODE_LIMITS.maxFileBytes}-byte limit per file`;
  if (bytes.includes(0) || !isUtf8(bytes)) return 'not UTF-8 text';
  return undefined;
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export async function collectFolderFiles(root: string): Promise<FolderFiles> {
  const rules = ignore();
  const ignoreText = await readFile(join(root, IGNORE_FILE), 'utf8').catch(() => '');
  rules.add(ignoreText);
  const files: Record<string, string> = {};
  const refused: RefusedFile[] = [];
  let ignored = 0;
  async function walk(current: string): Promise<void> {
    const entries = await readdir(current, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (current === root ? ALWAYS_SKIPPED.has(entry.name) : entry.name === '__pycache__' || entry.name === '.git') continue;
      const full = join(current, entry.name);
      const path = relative(root, full).split(sep).join('/');
      if (rules.ignores(entry.isDirectory() ? `${path}/` : path)) {
        ignored += entry.isDirectory() ? await countFiles(full) : 1;
        continue;
      }
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        const info = await stat(full);
        if (!info.isFile()) continue;
        const bytes = await readFile(full);
        const reason = refusalOf(path, bytes);
        if (reason) refused.push({ path, reason });
        else files[path] = bytes.toString('utf8');
      }
    }
  }
  await walk(root);
  return { files, refused, ignored };
}

async function countFiles(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) count += entry.isDirectory() ? await countFiles(join(dir, entry.name)) : 1;
  return count;
}

/** The folder's files, or a refusal listing every file that cannot be uploaded and why. */
export async function uploadableFiles(root: string): Promise<FolderFiles> {
  const collected = await collectFolderFiles(root);
  if (collected.refused.length > 0) {
    throw new RefusedError(
      `${collected.refused.length} file(s) in ${root} cannot be uploaded; nothing was sent. Fix them or list them in ${IGNORE_FILE} (gitignore syntax):`,
      collected.refused.map((f) => `  ${f.path}: ${f.reason}`),
    );
  }
  return collected;
}
