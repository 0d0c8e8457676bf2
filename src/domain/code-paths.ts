import { InvalidPathError } from '../errors.js';

/** File types an app may hold: Python modules and static assets, all text. */
export const CODE_EXTENSIONS = ['py', 'html', 'css', 'js', 'json', 'svg', 'txt', 'md'] as const;

const SEGMENT = /^[a-z0-9_-]+$/;
const FILE_NAME = new RegExp(`^[a-z0-9_-]+\\.(${CODE_EXTENSIONS.join('|')})$`);
export const MAX_PATH_LENGTH = 200;
const MAX_DEPTH = 8;

/**
 * Why a code path is refused, or undefined when it is fine. Directory segments
 * have no dots and file stems have none either, which is what makes
 * {@link toConfigMapKey} reversible.
 */
export function codePathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'must not be empty';
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  if (path.startsWith('/')) return 'must be relative';
  const segments = path.split('/');
  if (segments.length > MAX_DEPTH) return `must be at most ${MAX_DEPTH} levels deep`;
  const fileName = segments[segments.length - 1] ?? '';
  for (const segment of segments.slice(0, -1)) {
    if (segment === '..' || segment === '.') return 'must not contain "." or ".." segments';
    if (!SEGMENT.test(segment)) return `folder "${segment}" must be lower-case letters, digits, "_" or "-"`;
  }
  if (fileName.startsWith('.')) return 'must not name a hidden file';
  if (!FILE_NAME.test(fileName)) {
    return `file name "${fileName}" must be lower-case letters, digits, "_" or "-" ending in .${CODE_EXTENSIONS.join(', .')}`;
  }
  return undefined;
}

export function assertCodePath(path: string): string {
  const problem = codePathProblem(path);
  if (problem) throw new InvalidPathError(`file path ${JSON.stringify(path)} ${problem}`, { path });
  return path;
}

/**
 * ConfigMap keys cannot hold `/`; folders become dots (`static/css/site.css` →
 * `static.css.site.css`). The original platform lost nested files here.
 */
export function toConfigMapKey(path: string): string {
  return assertCodePath(path).split('/').join('.');
}

export function fromConfigMapKey(key: string): string {
  const parts = key.split('.');
  const extension = parts.pop();
  return assertCodePath(`${parts.join('/')}.${extension}`);
}
