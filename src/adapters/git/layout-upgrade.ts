import { spawn } from 'node:child_process';
import { appKey } from '../../domain/names.js';
import { formatCommitMessage } from '../../domain/trailers.js';
import { TENANTS_DIR } from '../../domain/layout.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { Person } from '../../ports/git.js';
import { legacyAppsOf, planAppMove } from '../../gitops/layout-move.js';
import { branchRef } from './paths.js';

/** Runs git, feeding `input`; resolves stdout as bytes. */
function git(gitdir: string, args: readonly string[], input?: Buffer | string, timeoutMs = 30 * 60_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [`--git-dir=${gitdir}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`git ${args[0]}: ${Buffer.concat(err).toString().slice(0, 500)}`)),
    );
    child.stdin.end(input ?? '');
  });
}

/** Contents of `<rev>:<path>` for many paths through one `git cat-file --batch` (missing ones are undefined). */
async function readBlobs(gitdir: string, rev: string, paths: readonly string[]): Promise<(string | undefined)[]> {
  const out = await git(gitdir, ['cat-file', '--batch'], paths.map((path) => `${rev}:${path}\n`).join(''));
  const texts: (string | undefined)[] = [];
  let at = 0;
  for (let i = 0; i < paths.length; i++) {
    const newline = out.indexOf(10, at);
    const header = out.subarray(at, newline).toString('utf8');
    at = newline + 1;
    if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
      texts.push(undefined);
      continue;
    }
    const size = Number(header.split(' ')[2]);
    texts.push(out.subarray(at, at + size).toString('utf8'));
    at += size + 1;
  }
  return texts;
}

export interface LayoutUpgradeOptions {
  readonly gitdir: string;
  readonly branch?: string;
  readonly author: Person;
  readonly dryRun?: boolean;
  readonly now?: () => number;
}

export interface LayoutUpgradeResult {
  /** Apps moved (or, in a dry run, that would move). */
  readonly moved: number;
  /** Legacy folders dropped because the app already exists in the sharded layout (written there since). */
  readonly superseded: number;
  readonly commit?: string;
  readonly head: string;
}

/**
 * `berth repo upgrade`: moves a repository from `tenants/<tenant>/<app>/` to
 * `tenants/<gg>/<tenant>/<app>/` in one commit, written by `git fast-import`
 * (renames keep every blob; only each app's kustomization.yaml and Flux file
 * get their one path line changed), and moves the branch by
 * compare-and-swap, so a Berth committing meanwhile makes it fail rather
 * than be overwritten. Plain git on purpose: it streams, so a 100,000-app
 * repository moves in seconds without holding its files in memory.
 */
export async function upgradeLayout(options: LayoutUpgradeOptions): Promise<LayoutUpgradeResult> {
  const ref = branchRef(options.branch ?? 'main');
  const head = (await git(options.gitdir, ['rev-parse', '--verify', '--quiet', ref]).catch(() => Buffer.from(''))).toString().trim();
  if (!head) throw new NotFoundError(`branch ${options.branch ?? 'main'} does not exist in ${options.gitdir}`);
  const listing = (await git(options.gitdir, ['ls-tree', '-r', '-z', '--name-only', '--full-tree', head, '--', TENANTS_DIR])).toString('utf8');
  const { legacy, sharded } = legacyAppsOf(listing.split('\0'));
  const moving = legacy.filter((app) => !sharded.has(appKey(app)));
  const superseded = legacy.length - moving.length;
  if (legacy.length === 0 || options.dryRun) return { moved: moving.length, superseded, head };

  const moves = moving.map(planAppMove);
  const texts = await readBlobs(
    options.gitdir,
    head,
    moves.flatMap((move) => [`${move.from}/kustomization.yaml`, move.flux.path]),
  );
  const when = `${Math.floor((options.now ?? Date.now)() / 1000)} +0000`;
  const message = formatCommitMessage(
    `upgrade: move ${moving.length} app(s) to the sharded tenants/<gg>/<tenant>/<app>/ layout`,
    { action: 'upgrade', apps: [], requestId: `layout-upgrade-${head.slice(0, 12)}`, actor: 'system' },
    [
      'Only paths change: every app folder moves under its tenant group, its',
      'kustomization.yaml reaches components/runner one level further up, and its',
      'Flux Kustomization (same name) gets the new spec.path. Review with',
      '`git show -M --stat`.',
      superseded > 0 ? `\n${superseded} old folder(s) of apps already written in the new layout are removed.` : '',
    ].join('\n'),
  );
  const chunks: Buffer[] = [];
  const person = `${options.author.name} <${options.author.email}> ${when}`;
  const tempRef = 'refs/berth/layout-upgrade';
  chunks.push(Buffer.from(`commit ${tempRef}\nauthor ${person}\ncommitter ${person}\ndata ${Buffer.byteLength(message)}\n${message}\nfrom ${head}\n`));
  const inline = (path: string, text: string) => {
    const data = Buffer.from(text, 'utf8');
    chunks.push(Buffer.from(`M 100644 inline ${path}\ndata ${data.length}\n`), data, Buffer.from('\n'));
  };
  moves.forEach((move, i) => {
    chunks.push(Buffer.from(`R ${move.from} ${move.to}\n`));
    const kustomization = texts[i * 2];
    const flux = texts[i * 2 + 1];
    if (kustomization !== undefined && move.kustomization.rewrite(kustomization) !== kustomization)
      inline(move.kustomization.path, move.kustomization.rewrite(kustomization));
    if (flux !== undefined && move.flux.rewrite(flux) !== flux) inline(move.flux.path, move.flux.rewrite(flux));
  });
  for (const app of legacy.filter((candidate) => sharded.has(appKey(candidate)))) chunks.push(Buffer.from(`D ${TENANTS_DIR}/${app.tenant}/${app.app}\n`));
  chunks.push(Buffer.from('\n'));
  await git(options.gitdir, ['update-ref', '-d', tempRef]).catch(() => undefined);
  await git(options.gitdir, ['fast-import', '--quiet', '--done'], Buffer.concat([...chunks, Buffer.from('done\n')]));
  const commit = (await git(options.gitdir, ['rev-parse', tempRef])).toString().trim();
  await git(options.gitdir, ['update-ref', '-d', tempRef]);
  try {
    await git(options.gitdir, ['update-ref', ref, commit, head]);
  } catch {
    throw new ConflictError(`${ref} moved while the layout was being upgraded; run the upgrade again`, { head });
  }
  return { moved: moving.length, superseded, commit, head };
}
