import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCommitMessage } from '../../src/domain/trailers.js';
import type { ChangeRequest, CommitOutcome, FileChange, Person, TreeView } from '../../src/ports/git.js';

/** Berth as committer in every test. */
export const BERTH: Person = { name: 'Berth', email: 'berth@berth.test' };
export const ALICE: Person = { name: 'Alice Example', email: 'alice@example.com' };

/** git with no user or system configuration leaking in, and fixed identities for CLI commits. */
export function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Host Operator',
    GIT_AUTHOR_EMAIL: 'ops@example.com',
    GIT_COMMITTER_NAME: 'Host Operator',
    GIT_COMMITTER_EMAIL: 'ops@example.com',
    GIT_TERMINAL_PROMPT: '0',
  };
}

/** Runs the git CLI and returns its trimmed stdout. */
export function runGit(args: string[], options: { cwd?: string; input?: string | Buffer } = {}): string {
  return execFileSync('git', args, { cwd: options.cwd, input: options.input, env: gitEnv(), maxBuffer: 256 * 1024 * 1024 })
    .toString('utf8')
    .trim();
}

/** `git --git-dir=<gitdir> ...`, stdout exactly as printed. */
export function gitRaw(gitdir: string, ...args: string[]): string {
  return execFileSync('git', [`--git-dir=${gitdir}`, ...args], { env: gitEnv(), maxBuffer: 256 * 1024 * 1024 }).toString('utf8');
}

/** `git --git-dir=<gitdir> ...` */
export function gitIn(gitdir: string, ...args: string[]): string {
  return runGit([`--git-dir=${gitdir}`, ...args]);
}

/** A temp folder removed by `remove()`. */
export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function tempDir(prefix = 'berth-git-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A new bare repository (`git init --bare`, default branch main) inside `dir`. */
export function initBare(dir: string, name = 'apps.git'): string {
  const gitdir = join(dir, name);
  runGit(['init', '--quiet', '--bare', '--initial-branch=main', gitdir]);
  return gitdir;
}

/**
 * One commit with `files` on `branch` (on top of its head, if any), written
 * by `git fast-import`: the quick way to build large repositories.
 */
export function seedCommit(gitdir: string, branch: string, files: Iterable<[string, string]>, message = 'seed'): string {
  const chunks: Buffer[] = [];
  const data = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    chunks.push(Buffer.from(`data ${bytes.byteLength}\n`), bytes, Buffer.from('\n'));
  };
  let parent: string | undefined;
  try {
    parent = gitIn(gitdir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
  } catch {
    parent = undefined;
  }
  chunks.push(Buffer.from(`commit refs/heads/${branch}\ncommitter Seed <seed@example.com> 1700000000 +0000\n`));
  data(message);
  if (parent) chunks.push(Buffer.from(`from ${parent}\n`));
  for (const [path, content] of files) {
    chunks.push(Buffer.from(`M 100644 inline ${path}\n`));
    data(content);
  }
  chunks.push(Buffer.from('\n'));
  runGit([`--git-dir=${gitdir}`, 'fast-import', '--quiet', '--force'], { input: Buffer.concat(chunks) });
  return gitIn(gitdir, 'rev-parse', `refs/heads/${branch}`);
}

/** Options of {@link changeRequest}. */
export interface RequestSpec {
  readonly requestId: string;
  readonly branch?: string;
  /** The files to write (null: delete); or use `plan` for anything smarter. */
  readonly changes?: readonly FileChange[];
  readonly plan?: (tree: TreeView) => Promise<readonly FileChange[]>;
  readonly base?: string;
  readonly guardPaths?: readonly string[];
  readonly author?: Person;
  readonly subject?: string;
  readonly timestamp?: number;
}

/** A ChangeRequest as the GitOps core would send it, with Berth's trailers in the message. */
export function changeRequest(spec: RequestSpec): ChangeRequest {
  const subject = spec.subject ?? `deploy alice/todo: ${spec.requestId}`;
  return {
    branch: spec.branch ?? 'main',
    requestId: spec.requestId,
    base: spec.base,
    guardPaths: spec.guardPaths,
    timestamp: spec.timestamp,
    meta: {
      author: spec.author ?? ALICE,
      message: formatCommitMessage(subject, { action: 'deploy', apps: ['alice/todo'], requestId: spec.requestId, actor: 'u-alice' }),
    },
    plan: spec.plan ?? (async () => spec.changes ?? []),
  };
}

/** The commit of an outcome that must have committed something. */
export function commitOf(outcome: CommitOutcome): string {
  if (outcome.status === 'unchanged' || outcome.commit === undefined) throw new Error(`expected a commit, got ${outcome.status}`);
  return outcome.commit;
}
