import { branchNameProblem, hasControlCharacter } from '../../domain/branch-names.js';
import { InvalidNameError, InvalidPathError } from '../../errors.js';

export { branchNameProblem };

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
