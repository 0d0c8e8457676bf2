import { InvalidNameError, InvalidPathError } from '../../errors.js';

const FORBIDDEN_IN_BRANCH = /[ ~^:?*[\\]/;

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Why `branch` is not a name git would accept for refs/heads/<branch>, or undefined. */
export function branchNameProblem(branch: string): string | undefined {
  if (typeof branch !== 'string' || branch.length === 0) return 'must not be empty';
  if (branch.length > 200) return 'must be at most 200 characters';
  if (FORBIDDEN_IN_BRANCH.test(branch) || hasControlCharacter(branch)) return 'must not contain spaces, control characters or ~^:?*[\\';
  if (branch.includes('..') || branch.includes('@{') || branch === '@') return 'must not contain "..", "@{" or be "@"';
  if (branch.endsWith('.')) return 'must not end with "."';
  for (const part of branch.split('/')) {
    if (part === '') return 'must not have empty components';
    if (part.startsWith('.')) return 'components must not start with "."';
    if (part.endsWith('.lock')) return 'components must not end with ".lock"';
  }
  return undefined;
}

/** The full ref of a branch, after checking the name (git check-ref-format rules). */
export function branchRef(branch: string): string {
  const problem = branchNameProblem(branch);
  if (problem) throw new InvalidNameError(`branch ${JSON.stringify(branch)} ${problem}`, { branch });
  return `refs/heads/${branch}`;
}

/**
 * Path segments for reading. Reads are lenient (a missing path is simply
 * absent): surrounding and doubled slashes are ignored, '' is the root.
 */
export function readSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/**
 * Path segments for writing, rejecting what git refuses in a tree (and
 * `git fsck --strict` flags): empty, `.`, `..`, `.git`, backslashes, NUL.
 */
export function writeSegments(path: string): string[] {
  const fail = (why: string): never => {
    throw new InvalidPathError(`path ${JSON.stringify(path)} ${why}`, { path });
  };
  if (typeof path !== 'string' || path.length === 0) fail('must not be empty');
  if (path.length > 4096) fail('is too long');
  if (hasControlCharacter(path) || path.includes('\\')) fail('must not contain control characters or backslashes');
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '') fail('must be relative, without empty segments');
    if (segment === '.' || segment === '..') fail('must not contain "." or ".." segments');
    if (segment.toLowerCase().replace(/[. ]+$/, '') === '.git') fail('must not contain a ".git" segment');
  }
  return segments;
}

/** Joins a folder and a name the way tree paths are written ('' is the root). */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
