import { execFileSync } from 'node:child_process';

const found = new Map<string, boolean>();

/** Whether an external command runs here (`<tool> <args>` exits 0). */
export function hasTool(tool: string, args: string[] = ['--version']): boolean {
  const key = `${tool} ${args.join(' ')}`;
  if (!found.has(key)) {
    try {
      execFileSync(tool, args, { stdio: 'ignore', timeout: 20_000 });
      found.set(key, true);
    } catch {
      found.set(key, false);
    }
  }
  return found.get(key) ?? false;
}

/**
 * For `describe.skipIf(!toolOrSkip(...))`: a missing tool skips loudly on a
 * laptop, and fails the run under CI=true, where every tool must be installed.
 */
export function toolOrSkip(tool: string, args: string[] = ['--version']): boolean {
  if (hasTool(tool, args)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${tool} is required under CI=true but is not installed (see .ci/run)`);
  }
  console.warn(`\n*** SKIPPING tests that need ${tool}: it is not installed here ***\n`);
  return false;
}
