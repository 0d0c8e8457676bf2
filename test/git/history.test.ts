import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalGit } from '../../src/adapters/git/index.js';
import type { LocalGit } from '../../src/adapters/git/index.js';
import { InputError, NotFoundError } from '../../src/errors.js';
import { ALICE, BERTH, changeRequest, commitOf, gitIn, gitRaw, initBare, seedCommit, tempDir } from '../support/git-fixtures.js';
import type { TempDir } from '../support/git-fixtures.js';
import { toolOrSkip } from '../support/tools.js';

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const lines = (count: number, prefix = 'line') => Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}\n`).join('');
const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: todo\n  labels:\n    app: todo\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n          ports:\n            - containerPort: 8000\n          env:\n            - name: A\n              value: "1"\n`;

describe.skipIf(!toolOrSkip('git'))('git adapter: reading history, trees and diffs', () => {
  let dir: TempDir;
  let gitdir: string;
  let adapter: LocalGit;
  let c0: string;
  let c1: string;
  let c2: string;
  let feature: string;
  let merge: string;

  beforeAll(async () => {
    dir = tempDir();
    gitdir = initBare(dir.path);
    c0 = seedCommit(gitdir, 'main', [
      ['tenants/alice/todo/code/main.py', lines(30)],
      ['tenants/alice/todo/deployment.yaml', deployment('runner:1')],
      ['tenants/alice/todo/empty.txt', ''],
      ['tenants/alice/todo/no-newline.txt', 'a\nb'],
      ['tenants/alice/todo/bin.dat', 'a\0b'],
      ['tenants/bob/blog/x.txt', 'x\n'],
      ['README.md', 'apps\n'],
    ]);
    adapter = createLocalGit({ gitdir, committer: BERTH });
    const main = lines(30).replace('line 5\n', 'line five\n').replace('line 25\n', 'line 25\nline 25.5\n');
    c1 = commitOf(
      await adapter.apply(
        changeRequest({
          requestId: 'r-1',
          subject: 'deploy alice/todo: many things',
          timestamp: 1_700_000_500,
          changes: [
            { path: 'tenants/alice/todo/code/main.py', content: main },
            { path: 'tenants/alice/todo/deployment.yaml', content: deployment('runner:2') },
            { path: 'tenants/alice/todo/empty.txt', content: null },
            { path: 'tenants/alice/todo/new.txt', content: 'new\n' },
            { path: 'tenants/alice/todo/no-newline.txt', content: 'a\nc' },
            { path: 'tenants/alice/todo/bin.dat', content: 'a\0c' },
            { path: 'tenants/alice/todo/code/util/helpers.py', content: 'def helper():\n    return 1\n' },
            { path: 'tenants/bob/blog/x.txt', content: null },
          ],
        }),
      ),
    );
    c2 = commitOf(await adapter.apply(changeRequest({ requestId: 'r-2', changes: [{ path: 'tenants/carol/app/a.txt', content: 'a\n' }] })));
    // A review branch merged with a merge commit made by git, and an empty commit on top.
    gitIn(gitdir, 'branch', 'feature', c2);
    feature = commitOf(
      await adapter.apply(changeRequest({ branch: 'feature', requestId: 'r-f', changes: [{ path: 'tenants/alice/todo/new.txt', content: 'reviewed\n' }] })),
    );
    merge = gitIn(gitdir, 'commit-tree', `${feature}^{tree}`, '-p', c2, '-p', feature, '-m', 'Merge review');
    const empty = gitIn(gitdir, 'commit-tree', `${merge}^{tree}`, '-p', merge, '-m', 'empty');
    gitIn(gitdir, 'update-ref', 'refs/heads/main', empty, c2);
  });

  afterAll(async () => {
    await adapter.close();
    dir.remove();
  });

  it('logs newest first along first parents, with a limit and a path filter', async () => {
    const subjects = async (options?: { path?: string; limit?: number }) => (await adapter.log('main', options)).map((c) => c.subject);
    expect(await subjects()).toEqual(['empty', 'Merge review', 'deploy alice/todo: r-2', 'deploy alice/todo: many things', 'seed']);
    expect(await subjects({ limit: 2 })).toEqual(['empty', 'Merge review']);
    expect(await subjects({ path: 'tenants/alice/todo' })).toEqual(['Merge review', 'deploy alice/todo: many things', 'seed']);
    expect(await subjects({ path: 'tenants/alice/todo/code/main.py' })).toEqual(['deploy alice/todo: many things', 'seed']);
    expect(await subjects({ path: 'tenants/bob' })).toEqual(['deploy alice/todo: many things', 'seed']);
    expect(await subjects({ path: 'tenants/carol/' })).toEqual(['deploy alice/todo: r-2']);
    expect(await subjects({ path: 'nowhere' })).toEqual([]);
    expect(await adapter.log('no-such-branch')).toEqual([]);
    await expect(adapter.log('main', { limit: -1 })).rejects.toBeInstanceOf(InputError);
    const viaGit = gitIn(gitdir, 'log', '--first-parent', '--format=%s', 'main', '--', 'tenants/alice/todo').split('\n');
    expect(await subjects({ path: 'tenants/alice/todo' })).toEqual(viaGit);
  });

  it('reads a commit with its signatures and trailers', async () => {
    const info = await adapter.readCommit(c1);
    expect(info).toMatchObject({
      sha: c1,
      parents: [c0],
      subject: 'deploy alice/todo: many things',
      author: { name: ALICE.name, email: ALICE.email, timestamp: 1_700_000_500, timezoneOffset: 0 },
      committer: { name: BERTH.name, email: BERTH.email, timestamp: 1_700_000_500, timezoneOffset: 0 },
      trailers: { 'Berth-Action': ['deploy'], 'Berth-App': ['alice/todo'], 'Berth-Request': ['r-1'], 'Berth-Actor': ['u-alice'] },
    });
    expect(info.message).toBe(gitRaw(gitdir, 'log', '-1', '--format=%B', c1).replace(/\n$/, ''));
    expect((await adapter.readCommit(merge)).parents).toEqual([c2, feature]);
    await expect(adapter.readCommit('f'.repeat(40))).rejects.toBeInstanceOf(NotFoundError);
    await expect(adapter.readCommit('HEAD')).rejects.toBeInstanceOf(InputError);
  });

  it('lists what a commit changed against its first parent, and a root commit against nothing', async () => {
    const changes = await adapter.changesOf(c1);
    expect(changes.map((c) => c.path)).toEqual(gitIn(gitdir, 'diff-tree', '-r', '--no-renames', '--name-only', '--no-commit-id', c1).split('\n'));
    expect(changes.find((c) => c.path === 'tenants/alice/todo/empty.txt')).toEqual({ path: 'tenants/alice/todo/empty.txt', before: '', after: null });
    expect(changes.find((c) => c.path === 'tenants/alice/todo/new.txt')).toEqual({ path: 'tenants/alice/todo/new.txt', before: null, after: 'new\n' });
    expect(changes.find((c) => c.path === 'tenants/bob/blog/x.txt')).toEqual({ path: 'tenants/bob/blog/x.txt', before: 'x\n', after: null });
    const root = await adapter.changesOf(c0);
    expect(root).toHaveLength(7);
    expect(root.every((c) => c.before === null && c.after !== null)).toBe(true);
    expect((await adapter.changesOf(merge)).map((c) => c.path)).toEqual(['tenants/alice/todo/new.txt']);
  });

  it('renders the same unified diff as git diff', async () => {
    const git = (...args: string[]) => gitRaw(gitdir, 'diff', '--no-renames', '--no-indent-heuristic', ...args);
    expect(await adapter.diff(c0, c1)).toBe(git(c0, c1));
    expect(await adapter.diff(c0, c1, 'tenants/alice/todo')).toBe(git(c0, c1, '--', 'tenants/alice/todo'));
    expect(await adapter.diff(c0, c1, 'tenants/alice/todo/deployment.yaml')).toBe(git(c0, c1, '--', 'tenants/alice/todo/deployment.yaml'));
    expect(await adapter.diff(c1, c0, 'tenants')).toBe(git(c1, c0, '--', 'tenants'));
    expect(await adapter.diff(undefined, c0)).toBe(git(EMPTY_TREE, c0));
    expect(await adapter.diff(c0, c0)).toBe('');
    const patch = await adapter.diff(c0, c1, 'tenants/alice/todo/deployment.yaml');
    expect(patch).toContain('diff --git a/tenants/alice/todo/deployment.yaml b/tenants/alice/todo/deployment.yaml\n');
    expect(patch).toMatch(/^@@ -10,7 \+10,7 @@ spec:$/m);
    expect(await adapter.diff(c0, c1, 'tenants/bob')).toContain('--- a/tenants/bob/blog/x.txt\n+++ /dev/null\n');
  });

  it('tells ancestors apart', async () => {
    expect(await adapter.isAncestor(c0, merge)).toBe(true);
    expect(await adapter.isAncestor(feature, merge)).toBe(true);
    expect(await adapter.isAncestor(merge, c0)).toBe(false);
    expect(await adapter.isAncestor(c1, c1)).toBe(true);
    expect(await adapter.isAncestor(feature, c2)).toBe(false);
  });

  it('reads trees: files, folders, ids and whole folders', async () => {
    const tree = await adapter.tree(c1);
    expect(tree.commit).toBe(c1);
    expect(await tree.readFile('tenants/alice/todo/new.txt')).toBe('new\n');
    expect(await tree.readFile('/tenants/alice/todo/new.txt')).toBe('new\n');
    expect(await tree.readFile('tenants/alice/todo')).toBeUndefined();
    expect(await tree.readFile('tenants/alice/todo/missing')).toBeUndefined();
    expect(await tree.readFile('tenants/alice/todo/new.txt/deeper')).toBeUndefined();
    expect(await tree.listDir('')).toEqual([
      { name: 'README.md', type: 'blob', oid: gitIn(gitdir, 'rev-parse', `${c1}:README.md`) },
      { name: 'tenants', type: 'tree', oid: gitIn(gitdir, 'rev-parse', `${c1}:tenants`) },
    ]);
    expect(await tree.listDir('README.md')).toBeUndefined();
    expect(await tree.listDir('nope')).toBeUndefined();
    expect(await tree.oidAt('tenants/alice')).toBe(gitIn(gitdir, 'rev-parse', `${c1}:tenants/alice`));
    expect(await tree.oidAt('')).toBe(gitIn(gitdir, 'rev-parse', `${c1}^{tree}`));
    expect(await tree.oidAt('tenants/zed')).toBeUndefined();
    const code = await tree.readFiles('tenants/alice/todo/code');
    expect([...code.keys()]).toEqual(['main.py', 'util/helpers.py']);
    expect(code.get('util/helpers.py')).toBe('def helper():\n    return 1\n');
    expect(await tree.readFiles('tenants/nobody')).toEqual(new Map());
    const empty = await adapter.tree(undefined);
    expect(empty.commit).toBeUndefined();
    expect(await empty.listDir('')).toEqual([]);
    await expect(adapter.tree('0'.repeat(40))).rejects.toBeInstanceOf(NotFoundError);
    await expect(adapter.tree('main')).rejects.toBeInstanceOf(InputError);
  });
});
