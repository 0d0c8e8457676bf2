import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The git CLI on a bare repository: the independent check of what Berth wrote. */
export function gitOut(gitdir: string, args: string[]): string {
  return execFileSync('git', [`--git-dir=${gitdir}`, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** `git fsck --strict` output; throws when git finds a problem. */
export function fsckStrict(gitdir: string): string {
  const result = spawnSync('git', [`--git-dir=${gitdir}`, 'fsck', '--strict', '--no-dangling'], { encoding: 'utf8' });
  // What git said is the diagnosis: keep it in the error, not just the command line.
  if (result.status !== 0) throw new Error(`git fsck --strict failed (exit ${String(result.status)}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** A fresh `git clone` into a temp folder, as Flux's source-controller would fetch it. */
export function freshClone(gitdir: string, branch = 'main'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'berth-clone-')), 'repo');
  execFileSync('git', ['clone', '-q', '--branch', branch, gitdir, dir], { stdio: 'pipe' });
  return dir;
}

/** `kubectl kustomize <dir>` parsed into objects. */
export function kustomizeBuild(dir: string): Array<Record<string, unknown>> {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as Record<string, unknown> | null)
    .filter((obj): obj is Record<string, unknown> => obj !== null);
}

/** Commits on a branch, oldest first, with the fields tests look at. */
export function commitsOf(gitdir: string, branch = 'main'): Array<{ sha: string; author: string; committer: string; message: string }> {
  const raw = gitOut(gitdir, ['log', '--reverse', '--format=%H%x1f%an <%ae>%x1f%cn <%ce>%x1f%B%x1e', branch]);
  return raw
    .split('\x1e')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [sha = '', author = '', committer = '', message = ''] = entry.split('\x1f');
      return { sha, author, committer, message };
    });
}
