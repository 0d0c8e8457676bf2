import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedWithFastImport } from '../../bench/git-cli.js';
import { createLocalGit } from '../../src/adapters/git/index.js';
import { upgradeLayout } from '../../src/adapters/git/layout-upgrade.js';
import { layoutWarnings } from '../../src/gitops/system-warnings.js';
import { main } from '../../src/cli/main.js';
import { parseAppRefFromPath } from '../../src/gitops/paths.js';
import { planAppMove } from '../../src/gitops/layout-move.js';
import { alice, bob, createFixture, helloApp, operator } from '../gitops/setup.js';
import { fsckStrict, gitOut, kustomizeBuild, freshClone } from '../support/git-cli.js';
import { toolOrSkip } from '../support/tools.js';

type Fixture = Awaited<ReturnType<typeof createFixture>>;
const haveKubectl = toolOrSkip('kubectl', ['version', '--client']);
const author = { name: 'Olga', email: 'olga@example.com' };

/** The files of `gitdir`'s main as the old layout had them: the exact inverse of the move. */
function legacyFiles(gitdir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const path of gitOut(gitdir, ['ls-tree', '-r', '--name-only', 'main']).split('\n').filter(Boolean)) {
    let content = gitOut(gitdir, ['show', `main:${path}`]);
    let target = path;
    const ref = parseAppRefFromPath(path);
    if (ref) {
      const move = planAppMove(ref);
      const swap = (text: string, a: string, b: string) => text.split(a).join(b);
      if (path.startsWith(`${move.to}/`)) target = `${move.from}/${path.slice(move.to.length + 1)}`;
      content = swap(
        swap(content, JSON.stringify(`./${move.to}`), JSON.stringify(`./${move.from}`)),
        '"../../../../components/runner"',
        '"../../../components/runner"',
      );
    }
    out.push([target, content]);
  }
  return out;
}

describe('berth repo upgrade: the move to the sharded tenants/ layout', () => {
  let f: Fixture;
  let root: string;
  let legacy: string;
  beforeEach(async () => {
    f = await createFixture();
    await f.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: f.nextRequest() });
    await f.gitops.deploy(helloApp('alice', 'blog'), { actor: alice, requestId: f.nextRequest() });
    await f.gitops.deploy(helloApp('bob', 'shop'), { actor: bob, requestId: f.nextRequest() });
    await f.gitops.pinRunner({ image: 'ghcr.io/acme/runner', digest: `sha256:${'b'.repeat(64)}` }, [{ tenant: 'bob', app: 'shop' }], {
      actor: operator,
      requestId: f.nextRequest(),
    });
    await f.gitops.sleep([{ tenant: 'alice', app: 'blog' }], { actor: operator, requestId: f.nextRequest() });
    root = mkdtempSync(join(tmpdir(), 'berth-layout-'));
    legacy = join(root, 'legacy.git');
    await seedWithFastImport(legacy, legacyFiles(f.gitdir));
  });
  afterEach(async () => {
    await f.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('moves every app in one commit to exactly the tree Berth writes now: renames plus one path line per file', async () => {
    expect(gitOut(legacy, ['ls-tree', '--name-only', 'main', 'tenants/'])).toBe('tenants/alice\ntenants/bob\n');
    const before = gitOut(legacy, ['rev-parse', 'main']).trim();
    const dry = await upgradeLayout({ gitdir: legacy, author, dryRun: true });
    expect(dry).toMatchObject({ moved: 3, superseded: 0 });
    expect(gitOut(legacy, ['rev-parse', 'main']).trim()).toBe(before);

    const result = await upgradeLayout({ gitdir: legacy, author, now: () => 1_700_000_000_000 });
    expect(result.moved).toBe(3);
    expect(gitOut(legacy, ['rev-parse', 'main~1']).trim()).toBe(before);
    // The same tree, byte for byte, as a repository Berth wrote in the new layout.
    expect(gitOut(legacy, ['rev-parse', 'main^{tree}'])).toBe(gitOut(f.gitdir, ['rev-parse', 'main^{tree}']));
    const status = gitOut(legacy, ['diff', '--name-status', '-M', 'main~1', 'main']).trim().split('\n');
    const modified = status.filter((line) => line.startsWith('M\t'));
    expect(modified.sort()).toEqual(['M\tflux/groups/2b/alice/blog.yaml', 'M\tflux/groups/2b/alice/todo.yaml', 'M\tflux/groups/81/bob/shop.yaml']);
    const renames = status.filter((line) => line.startsWith('R'));
    expect(renames.length + modified.length).toBe(status.length);
    expect(renames.filter((line) => line.startsWith('R100')).length).toBe(renames.length - 2);
    // Only the path lines changed: no Flux object was renamed.
    const changed = gitOut(legacy, ['diff', '-M', '-U0', 'main~1', 'main'])
      .split('\n')
      .filter((line) => /^[-+][^-+]/.test(line));
    expect(changed.every((line) => /path: "\.\/tenants\/|components\/runner"$/.test(line))).toBe(true);
    expect(gitOut(legacy, ['log', '-1', '--format=%B', 'main'])).toContain('Berth-Action: upgrade');
    fsckStrict(legacy);

    expect((await upgradeLayout({ gitdir: legacy, author })).commit).toBeUndefined();
  });

  it('a Berth on a repository in the old layout warns until it is upgraded', async () => {
    const git = createLocalGit({ gitdir: legacy, committer: author });
    try {
      const [warning] = await layoutWarnings(git, 'main');
      expect(warning?.code).toBe('legacy_layout');
      expect(warning?.message).toContain('berth repo upgrade');
      await upgradeLayout({ gitdir: legacy, author });
      expect(await layoutWarnings(git, 'main')).toEqual([]);
    } finally {
      await git.close();
    }
  });

  it('drops an old folder of an app already written in the new layout, keeping the newer one', async () => {
    const stale: [string, string][] = [...legacyFiles(f.gitdir), ['tenants/81/bob/shop/berth.yaml', 'newer\n']];
    const mixed = join(root, 'mixed.git');
    await seedWithFastImport(mixed, stale);
    const result = await upgradeLayout({ gitdir: mixed, author });
    expect(result).toMatchObject({ moved: 2, superseded: 1 });
    expect(gitOut(mixed, ['show', 'main:tenants/81/bob/shop/berth.yaml'])).toBe('newer\n');
    expect(gitOut(mixed, ['ls-tree', '--name-only', 'main', 'tenants/'])).toBe('tenants/2b\ntenants/81\n');
  });

  it('runs as `berth repo upgrade`, and the upgraded repository builds', async () => {
    const lines: string[] = [];
    const io = { out: (text: string) => void lines.push(text), err: (text: string) => void lines.push(text) };
    expect(await main(['repo', 'upgrade', legacy, '--dry-run'], io)).toBe(0);
    expect(lines.join('\n')).toContain('Would move 3 app(s)');
    expect(await main(['repo', 'upgrade', legacy], io)).toBe(0);
    expect(lines.join('\n')).toMatch(/Moved 3 app\(s\): [0-9a-f]{40}/);
    expect(await main(['repo', 'upgrade', legacy, '--bogus'], io)).toBe(2);
    if (haveKubectl) {
      const clone = freshClone(legacy);
      expect(kustomizeBuild(join(clone, 'tenants/81/bob/shop')).some((o) => o.kind === 'Deployment')).toBe(true);
      expect(kustomizeBuild(join(clone, 'tenants/2b/alice/todo')).some((o) => o.kind === 'Deployment')).toBe(true);
    }
  });
});
