/*
 * The API's input rules, mirrored so fields can say what is wrong as the
 * person types. The server stays the judge; test/web/rules.test.ts checks
 * that these agree with src/domain on many samples.
 */

export const MAX_NAME_LENGTH = 30;
const DNS_1035_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/** Same wording as src/domain/names.ts nameProblem. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
  if (/^[0-9]/.test(name)) return 'must start with a letter: it becomes a Kubernetes Service name, which must be a DNS-1035 label';
  if (!DNS_1035_LABEL.test(name)) return 'must be lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit';
  if (name.includes('--')) return 'must not contain "--"';
  return undefined;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** As src/http/schemas.ts envName. */
export function envNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 128) return 'must be at most 128 characters';
  if (!ENV_NAME.test(name)) return 'env names are upper-case letters, digits and "_", not starting with a digit';
  return undefined;
}

export const CODE_EXTENSIONS = ['py', 'html', 'css', 'js', 'json', 'svg', 'txt', 'md'] as const;
const SEGMENT = /^[a-z0-9_-]+$/;
const FILE_NAME = new RegExp(`^[a-z0-9_-]+\\.(${CODE_EXTENSIONS.join('|')})$`);

/** Same wording as src/domain/code-paths.ts codePathProblem. */
export function codePathProblem(path: string): string | undefined {
  if (path.length === 0) return 'must not be empty';
  if (path.length > 200) return 'must be at most 200 characters';
  if (path.startsWith('/')) return 'must be relative';
  const segments = path.split('/');
  if (segments.length > 8) return 'must be at most 8 levels deep';
  const fileName = segments[segments.length - 1] ?? '';
  for (const segment of segments.slice(0, -1)) {
    if (segment === '..' || segment === '.') return 'must not contain "." or ".." segments';
    if (!SEGMENT.test(segment)) return `folder "${segment}" must be lower-case letters, digits, "_" or "-"`;
  }
  if (fileName.startsWith('.')) return 'must not name a hidden file';
  if (!FILE_NAME.test(fileName)) return `file name "${fileName}" must be lower-case letters, digits, "_" or "-" ending in .${CODE_EXTENSIONS.join(', .')}`;
  return undefined;
}

/** As src/http/schemas.ts runnerImageSchema. */
export function digestProblem(digest: string): string | undefined {
  return /^sha256:[0-9a-f]{64}$/.test(digest) ? undefined : 'must be sha256:<64 hex>';
}

export function imageProblem(image: string): string | undefined {
  if (image.length === 0) return 'must not be empty';
  return /^[a-z0-9][a-z0-9._/-]*(:[0-9]+)?(\/[a-z0-9._-]+)*$/.test(image) ? undefined : 'must be an image repository without tag';
}

/** "3 minutes ago" style, for lists. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
