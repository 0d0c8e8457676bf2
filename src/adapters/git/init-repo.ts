import * as fs from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import git from 'isomorphic-git';
import type { RunnerImage } from '../../domain/app-spec.js';
import { assertRunnerImage, setComponentImage } from '../../domain/runner-image.js';
import { RUNNER_COMPONENT } from '../../domain/layout.js';
import { ConflictError, InputError, InvalidNameError } from '../../errors.js';
import type { Person } from '../../ports/git.js';
import { branchNameProblem } from '../../domain/branch-names.js';
import { errorCode } from '../fs/errno.js';

/** Options of {@link initAppsRepo}. */
export interface InitAppsRepoOptions {
  /** Folder whose files become the first commit (the package's `apps-repo/`). */
  readonly skeletonDir: string;
  /** Where the new bare repository is created; must not exist or be empty. */
  readonly gitdir: string;
  readonly branch?: string;
  /** Author and committer of the initial commit. */
  readonly author: Person;
  /** Fleet-wide runner pin written into `components/runner` instead of the skeleton's placeholder. */
  readonly runnerImage?: RunnerImage;
  /** Commit time in seconds since the epoch; defaults to now. Tests fix it for stable ids. */
  readonly timestamp?: number;
}

type TreeEntry = { mode: string; path: string; oid: string; type: 'blob' | 'tree' };

/**
 * Creates a new bare apps repository from the skeleton: one commit on
 * `branch`, written as blobs and trees with no work tree, and HEAD pointing
 * at it. The repository is assembled in a sibling folder and renamed into
 * place, so a failure leaves no half-made repository behind.
 *
 * @returns the id of the initial commit.
 * @throws InputError for a bad runner image or author; ConflictError when
 *   `gitdir` exists and is not an empty folder.
 */
export async function initAppsRepo(options: InitAppsRepoOptions): Promise<string> {
  const branch = options.branch ?? 'main';
  checkBranch(branch);
  if (options.runnerImage) assertRunnerImage(options.runnerImage);
  checkAuthor(options.author);
  const target = resolve(options.gitdir);
  await assertEmptyTarget(target);

  const staging = join(dirname(target), `.${basename(target)}.init-${randomBytes(4).toString('hex')}`);
  try {
    await git.init({ fs, dir: staging, gitdir: staging, bare: true, defaultBranch: branch });
    // isomorphic-git writes a config meant for case-insensitive work trees;
    // this is a server-side bare repository, so say what git itself would.
    await git.setConfig({ fs, gitdir: staging, path: 'core.ignorecase', value: false });
    await git.setConfig({ fs, gitdir: staging, path: 'core.filemode', value: true });
    const overrides = await skeletonOverrides(options);
    const tree = (await writeDir(staging, resolve(options.skeletonDir), '', overrides)) ?? (await git.writeTree({ fs, gitdir: staging, tree: [] }));
    const commit = await writeInitialCommit(staging, tree, options);
    await git.writeRef({ fs, gitdir: staging, ref: `refs/heads/${branch}`, value: commit, force: true });
    await git.writeRef({ fs, gitdir: staging, ref: 'HEAD', value: `refs/heads/${branch}`, symbolic: true, force: true });
    await moveIntoPlace(staging, target);
    return commit;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function checkBranch(branch: string): void {
  const problem = branchNameProblem(branch);
  if (problem) throw new InvalidNameError(`branch ${JSON.stringify(branch)} is not a valid branch name: it ${problem}`, { branch });
}

function checkAuthor(author: Person): void {
  // Angle brackets or newlines would corrupt the commit header line.
  const bad = /[<>\n\r]/;
  if (!author.name.trim() || bad.test(author.name) || !author.email.trim() || bad.test(author.email)) {
    throw new InputError(`author ${JSON.stringify(`${author.name} <${author.email}>`)} is not a valid "Name <email>"`);
  }
}

async function assertEmptyTarget(target: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    if (isErrno(err, 'ENOTDIR')) throw new ConflictError(`${target} exists and is not a folder`);
    throw err;
  }
  if (entries.length > 0) throw new ConflictError(`${target} is not empty; refusing to create an apps repository there`);
}

/** rename(2) replaces an empty folder atomically and fails on a non-empty one, which is exactly the rule. */
async function moveIntoPlace(staging: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  try {
    await rename(staging, target);
  } catch (err) {
    if (isErrno(err, 'ENOTEMPTY') || isErrno(err, 'EEXIST')) {
      throw new ConflictError(`${target} was filled while the repository was being created; refusing to overwrite it`);
    }
    throw err;
  }
}

/** Skeleton files whose content differs in the new repository (repo path → text). */
async function skeletonOverrides(options: InitAppsRepoOptions): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (options.runnerImage) {
    const path = join(options.skeletonDir, RUNNER_COMPONENT);
    out.set(RUNNER_COMPONENT, setComponentImage(await readFile(path, 'utf8'), options.runnerImage));
  }
  return out;
}

/** Writes a folder of the skeleton as a tree, depth first; returns its id, undefined when it holds no file. */
async function writeDir(gitdir: string, root: string, prefix: string, overrides: Map<string, string>): Promise<string | undefined> {
  const entries: TreeEntry[] = [];
  for (const dirent of await readdir(join(root, prefix), { withFileTypes: true })) {
    const repoPath = prefix ? `${prefix}/${dirent.name}` : dirent.name;
    const full = join(root, repoPath);
    if (dirent.isDirectory()) {
      const oid = await writeDir(gitdir, root, repoPath, overrides);
      if (oid !== undefined) entries.push({ mode: '040000', path: dirent.name, oid, type: 'tree' });
    } else if (dirent.isFile()) {
      const override = overrides.get(repoPath);
      const blob = override === undefined ? await readFile(full) : Buffer.from(override, 'utf8');
      const oid = await git.writeBlob({ fs, gitdir, blob: new Uint8Array(blob) });
      const executable = ((await stat(full)).mode & 0o111) !== 0;
      entries.push({ mode: executable ? '100755' : '100644', path: dirent.name, oid, type: 'blob' });
    } else {
      // A symlink could point outside the skeleton; nothing in it needs one.
      throw new Error(`skeleton entry ${repoPath} is neither a file nor a folder`);
    }
  }
  // Git tracks files, not folders: an empty skeleton folder is left out, as `git add` would.
  return entries.length === 0 ? undefined : git.writeTree({ fs, gitdir, tree: entries });
}

async function writeInitialCommit(gitdir: string, tree: string, options: InitAppsRepoOptions): Promise<string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = { name: options.author.name, email: options.author.email, timestamp, timezoneOffset: 0 };
  const body = options.runnerImage ? `\n\nRunner image: ${options.runnerImage.image}@${options.runnerImage.digest}` : '';
  return git.writeCommit({
    fs,
    gitdir,
    commit: {
      message: `Initialise apps repository${body}\n`,
      tree,
      parent: [],
      author: signature,
      committer: signature,
    },
  });
}

function isErrno(err: unknown, code: string): boolean {
  return errorCode(err) === code;
}
