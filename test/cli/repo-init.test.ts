import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initAppsRepo } from '../../src/adapters/git/init-repo.js';
import type { CliIo } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { appsRepoSkeletonDir, packageRoot } from '../../src/package-paths.js';
import { toolOrSkip } from '../support/tools.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const hasGit = toolOrSkip('git');
const hasKubectl = hasGit && toolOrSkip('kubectl', ['version', '--client']);

/** Runs `berth <argv>` in-process and returns the exit code and everything printed. */
async function berth(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function gitIn(gitdir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', gitdir, ...args], { encoding: 'utf8' }).trim();
}

describe.skipIf(!hasGit)('berth repo init', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'berth-repo-init-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('creates a bare repository with one fsck-clean commit on main', async () => {
    const gitdir = join(tmp, 'apps.git');
    const result = await berth('repo', 'init', gitdir, '--placeholder-runner-image');
    expect(result).toMatchObject({ code: 0, err: '' });
    const head = gitIn(gitdir, 'rev-parse', 'refs/heads/main');
    expect(result.out).toContain(head);

    expect(() => execFileSync('git', ['--git-dir', gitdir, 'fsck', '--strict', '--no-dangling'], { stdio: 'pipe' })).not.toThrow();
    expect(gitIn(gitdir, 'rev-parse', '--is-bare-repository')).toBe('true');
    expect(gitIn(gitdir, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    expect(gitIn(gitdir, 'rev-list', '--count', '--all')).toBe('1');
    expect(gitIn(gitdir, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
    expect(gitIn(gitdir, 'log', '-1', '--format=%an <%ae>|%s', 'main')).toBe('Berth <berth@localhost>|Initialise apps repository');
    const files = gitIn(gitdir, 'ls-tree', '-r', '--name-only', 'main').split('\n');
    expect(files).toEqual(expect.arrayContaining(['README.md', 'kustomization.yaml', 'components/runner/kustomization.yaml']));
    // No staging folder is left next to the repository.
    expect(readdirSync(tmp)).toEqual(['apps.git']);
  });

  it.skipIf(!hasKubectl)('gives a clone whose root builds with kubectl kustomize', async () => {
    const gitdir = join(tmp, 'apps.git');
    expect((await berth('repo', 'init', gitdir, '--placeholder-runner-image')).code).toBe(0);
    const clone = join(tmp, 'clone');
    execFileSync('git', ['clone', '--quiet', gitdir, clone]);
    expect(execFileSync('git', ['-C', clone, 'status', '--porcelain'], { encoding: 'utf8' })).toBe('');
    expect(() => execFileSync('kubectl', ['kustomize', clone], { stdio: 'pipe' })).not.toThrow();
    expect(() => execFileSync('kubectl', ['kustomize', join(clone, 'components/runner')], { stdio: 'pipe' })).not.toThrow();
  });

  it('pins the runner image given with --runner-image, keeping the comments', async () => {
    const gitdir = join(tmp, 'apps.git');
    const result = await berth('repo', 'init', gitdir, '--runner-image', `registry.example.com:5000/team/runner@${DIGEST}`);
    expect(result.code).toBe(0);
    const component = gitIn(gitdir, 'show', 'main:components/runner/kustomization.yaml');
    expect(component).toContain('newName: registry.example.com:5000/team/runner');
    expect(component).toContain(`digest: ${DIGEST}`);
    expect(component).not.toContain(`sha256:${'0'.repeat(64)}`);
    expect(component).toContain('# The fleet-wide runner image.');
    expect(gitIn(gitdir, 'log', '-1', '--format=%b', 'main')).toContain(`registry.example.com:5000/team/runner@${DIGEST}`);
  });

  it('accepts an existing empty folder', async () => {
    const gitdir = join(tmp, 'empty');
    mkdirSync(gitdir);
    expect((await berth('repo', 'init', gitdir, '--placeholder-runner-image')).code).toBe(0);
    expect(gitIn(gitdir, 'rev-list', '--count', 'main')).toBe('1');
  });

  it('refuses a non-empty target and leaves it untouched', async () => {
    const gitdir = join(tmp, 'busy');
    mkdirSync(gitdir);
    writeFileSync(join(gitdir, 'keep.txt'), 'mine');
    const result = await berth('repo', 'init', gitdir, '--placeholder-runner-image');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/is not empty/);
    expect(readdirSync(gitdir)).toEqual(['keep.txt']);
    expect(readdirSync(tmp)).toEqual(['busy']);
  });

  it('refuses a target that is a file', async () => {
    const target = join(tmp, 'file');
    writeFileSync(target, 'x');
    expect((await berth('repo', 'init', target, '--placeholder-runner-image')).code).toBe(1);
    expect(readFileSync(target, 'utf8')).toBe('x');
  });

  it.each([
    ['a short digest', `ghcr.io/berth-dev/runner@sha256:abc`],
    ['an upper-case digest', `ghcr.io/berth-dev/runner@sha256:${'AB'.repeat(32)}`],
    ['no digest', 'ghcr.io/berth-dev/runner'],
    ['a tag', `ghcr.io/berth-dev/runner:1.2@${DIGEST}`],
    ['an upper-case repository', `ghcr.io/Berth/runner@${DIGEST}`],
  ])('rejects --runner-image with %s: exit 2, no repository', async (_label, ref) => {
    const gitdir = join(tmp, 'apps.git');
    const result = await berth('repo', 'init', gitdir, '--runner-image', ref);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^error: /);
    expect(existsSync(gitdir)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('requires the runner image digest: without --runner-image it exits 2 saying why, and creates nothing', async () => {
    const gitdir = join(tmp, 'apps.git');
    const result = await berth('repo', 'init', gitdir);
    expect(result.code).toBe(2);
    expect(result.err).toContain('--runner-image <image>@sha256:<hex> is required');
    expect(result.err).toContain('--placeholder-runner-image');
    expect(existsSync(gitdir)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('keeps the placeholder pin only with --placeholder-runner-image, and refuses it together with --runner-image', async () => {
    const gitdir = join(tmp, 'apps.git');
    const both = await berth('repo', 'init', gitdir, '--placeholder-runner-image', '--runner-image', `ghcr.io/acme/runner@${DIGEST}`);
    expect(both.code).toBe(2);
    expect(both.err).toContain('not both');
    expect(readdirSync(tmp)).toEqual([]);
    expect((await berth('repo', 'init', gitdir, '--placeholder-runner-image')).code).toBe(0);
    expect(gitIn(gitdir, 'show', 'main:components/runner/kustomization.yaml')).toContain(`digest: sha256:${'0'.repeat(64)}`);
  });

  it.each([
    ['no path', ['repo', 'init']],
    ['two paths', ['repo', 'init', 'a', 'b']],
    ['an unknown option', ['repo', 'init', 'x', '--force']],
    ['a missing option value', ['repo', 'init', 'x', '--runner-image']],
    ['a bad author', ['repo', 'init', 'x', '--author', 'nobody']],
  ])('exits 2 with the usage for %s', async (_label, argv) => {
    const result = await berth(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain('Usage: berth repo init <path>');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('writes the same commit for the same skeleton, author and time', async () => {
    const options = { skeletonDir: appsRepoSkeletonDir(), author: { name: 'Op', email: 'op@example.com' }, timestamp: 1_700_000_000 };
    const a = await initAppsRepo({ ...options, gitdir: join(tmp, 'a.git') });
    const b = await initAppsRepo({ ...options, gitdir: join(tmp, 'b.git') });
    expect(a).toMatch(/^[0-9a-f]{40}$/);
    expect(b).toBe(a);
  });

  it('exits 2 through the real process for a bad digest', () => {
    const gitdir = join(tmp, 'apps.git');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'repo', 'init', gitdir, '--runner-image', 'x@sha256:0'], {
      cwd: packageRoot(),
      encoding: 'utf8',
    });
    expect(run.stderr).toMatch(/--runner-image/);
    expect(run.status).toBe(2);
    expect(existsSync(gitdir)).toBe(false);
  });
});

describe('berth', () => {
  it('lists the commands on --help and exits 0', async () => {
    const result = await berth('--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('berth repo init');
  });

  it('exits 2 without a command or with an unknown one', async () => {
    expect((await berth()).code).toBe(2);
    const unknown = await berth('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "berth frobnicate"');
  });

  it("prints a command's usage on --help and exits 0", async () => {
    const result = await berth('repo', 'init', '--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('--runner-image');
    expect(result.out).toContain('--placeholder-runner-image');
  });
});
