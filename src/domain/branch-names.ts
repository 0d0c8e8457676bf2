/** Branch names: git's check-ref-format rules for refs/heads/<name>, the one check for config, repo init and the Git adapter. */

const FORBIDDEN_IN_BRANCH = /[ ~^:?*[\\]/;

export function hasControlCharacter(text: string): boolean {
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
