import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { FileChange } from '../src/ports/git.js';

const exec = promisify(execFile);

const IDENTITY = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@berth.invalid',
  GIT_COMMITTER_NAME: 'Berth',
  GIT_COMMITTER_EMAIL: 'berth@berth.invalid',
};

/** Runs git with stdin, resolving stdout. */
export function git(gitdir: string, args: string[], input?: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [`--git-dir=${gitdir}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: IDENTITY });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    // A git that exits early closes its stdin; its exit status says why.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`git ${args[0]}: ${Buffer.concat(err).toString()}`)),
    );
    child.stdin.end(input ?? '');
  });
}

/**
 * Seeds a bare repository with one commit holding `files`, through
 * `git fast-import` (a pack, as a fetched mirror has). Seconds for 100,000
 * files, where writing them one by one would take minutes.
 */
export async function seedWithFastImport(gitdir: string, files: Iterable<readonly [string, string]>, branch = 'main'): Promise<void> {
  await exec('git', ['init', '--bare', '-q', '-b', branch, gitdir]);
  const chunks: Buffer[] = [];
  const paths: string[] = [];
  let mark = 0;
  for (const [path, content] of files) {
    const data = Buffer.from(content, 'utf8');
    chunks.push(Buffer.from(`blob\nmark :${++mark}\ndata ${data.length}\n`), data, Buffer.from('\n'));
    paths.push(path);
  }
  const when = '1700000000 +0000';
  const message = Buffer.from('seed\n');
  chunks.push(Buffer.from(`commit refs/heads/${branch}\ncommitter Bench <bench@berth.invalid> ${when}\ndata ${message.length}\n`), message);
  chunks.push(Buffer.from(paths.map((path, i) => `M 100644 :${i + 1} ${path}\n`).join('')), Buffer.from('\n'));
  await git(gitdir, ['fast-import', '--quiet'], Buffer.concat(chunks));
}

/** Turns a packed repository into one made of loose objects only, as Berth's own writes leave it. */
export async function unpackAll(gitdir: string): Promise<void> {
  const { readdir, rename, mkdtemp } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const packDir = join(gitdir, 'objects', 'pack');
  const aside = await mkdtemp(join(gitdir, 'packs-'));
  const packs = (await readdir(packDir)).filter((f) => f.endsWith('.pack'));
  for (const file of await readdir(packDir)) await rename(join(packDir, file), join(aside, file));
  const { readFile } = await import('node:fs/promises');
  for (const pack of packs) await git(gitdir, ['unpack-objects', '-q'], await readFile(join(aside, pack)));
}

/**
 * The baseline: the same commit made with git's plumbing (hash-object,
 * ls-tree + mktree per changed folder, commit-tree, update-ref), one process
 * per step as a shell script or a CLI-driven service would.
 */
export async function commitWithPlumbing(gitdir: string, branch: string, changes: readonly FileChange[], message: string): Promise<string> {
  const head = (await git(gitdir, ['rev-parse', `refs/heads/${branch}`])).trim();
  const blobs = new Map<string, string | null>();
  for (const change of changes) {
    blobs.set(change.path, change.content === null ? null : (await git(gitdir, ['hash-object', '-w', '--stdin'], change.content)).trim());
  }
  const rootTree = await rewriteTree(gitdir, `${head}^{tree}`, '', blobs);
  const commit = (await git(gitdir, ['commit-tree', rootTree ?? '4b825dc642cb6eb9a060e54bf8d69288fbee4904', '-p', head, '-m', message])).trim();
  await git(gitdir, ['update-ref', `refs/heads/${branch}`, commit, head]);
  return commit;
}

async function rewriteTree(gitdir: string, treeish: string | undefined, prefix: string, blobs: Map<string, string | null>): Promise<string | undefined> {
  const entries = new Map<string, string>();
  if (treeish) {
    for (const line of (await git(gitdir, ['ls-tree', treeish])).split('\n')) {
      if (!line) continue;
      const tab = line.indexOf('\t');
      entries.set(line.slice(tab + 1), line.slice(0, tab));
    }
  }
  const children = new Set<string>();
  for (const path of blobs.keys()) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      const oid = blobs.get(path);
      if (oid === null || oid === undefined) entries.delete(rest);
      else entries.set(rest, `100644 blob ${oid}`);
    } else children.add(rest.slice(0, slash));
  }
  for (const child of children) {
    const existing = entries.get(child);
    const subtree = existing?.startsWith('040000') ? `${existing.split(' ')[2]}` : undefined;
    const oid = await rewriteTree(gitdir, subtree, `${prefix}${child}/`, blobs);
    if (oid) entries.set(child, `040000 tree ${oid}`);
    else entries.delete(child);
  }
  if (entries.size === 0) return undefined;
  const input = [...entries].map(([name, meta]) => `${meta}\t${name}`).join('\n') + '\n';
  return (await git(gitdir, ['mktree'], input)).trim();
}
