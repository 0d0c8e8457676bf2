import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'berth';

/**
 * The folder holding Berth's package.json. Found by walking up from this
 * module rather than by a fixed `../..`, so it is right both for
 * `src/cli/*.ts` run by tsx and for the compiled `dist/cli/*.js`, and from
 * any working directory.
 */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readName(manifest) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${fileURLToPath(from)}`);
    dir = parent;
  }
}

/** The skeleton new apps repositories are created from (`apps-repo/` in the package). */
export function appsRepoSkeletonDir(): string {
  return join(packageRoot(), 'apps-repo');
}

function readName(manifest: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && 'name' in parsed && typeof parsed.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}
