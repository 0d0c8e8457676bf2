import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalGit } from '../../src/adapters/git/index.js';
import type { LocalGit } from '../../src/adapters/git/index.js';
import { InputError } from '../../src/errors.js';
import type { FileChange } from '../../src/ports/git.js';
import { BERTH, changeRequest, gitIn, initBare, runGit, seedCommit, tempDir } from '../support/git-fixtures.js';
import type { TempDir } from '../support/git-fixtures.js';
import { toolOrSkip } from '../support/tools.js';

describe.skipIf(!toolOrSkip('git'))('git adapter: how a change list edits the tree', () => {
  let dir: TempDir;
  let gitdir: string;
  let adapter: LocalGit;
  let request = 0;

  const apply = (changes: readonly FileChange[]) => adapter.apply(changeRequest({ requestId: `r-${++request}`, changes }));
  const files = () => gitIn(gitdir, 'ls-tree', '-r', '--name-only', 'main').split('\n').filter(Boolean);

  beforeEach(() => {
    dir = tempDir();
    gitdir = initBare(dir.path);
    seedCommit(gitdir, 'main', [
      ['app/code/main.py', 'main\n'],
      ['app/code/old.py', 'old\n'],
      ['app/config', 'a file that becomes a folder\n'],
      ['keep.txt', 'keep\n'],
    ]);
    adapter = createLocalGit({ gitdir, committer: BERTH });
  });

  afterEach(async () => {
    await adapter.close();
    dir.remove();
  });

  it('applies changes in order: deleting a folder then writing into it replaces its contents', async () => {
    await apply([
      { path: 'app/code', content: null },
      { path: 'app/code/main.py', content: 'new main\n' },
      { path: 'app/code/lib/util.py', content: 'util\n' },
    ]);
    expect(files()).toEqual(['app/code/lib/util.py', 'app/code/main.py', 'app/config', 'keep.txt']);
    await apply([
      { path: 'keep.txt', content: 'first\n' },
      { path: 'keep.txt', content: 'last\n' },
    ]);
    expect(gitIn(gitdir, 'show', 'main:keep.txt')).toBe('last');
  });

  it('replaces a file with a folder and a folder with a file, as git does', async () => {
    await apply([{ path: 'app/config/settings.yaml', content: 'x: 1\n' }]);
    expect(gitIn(gitdir, 'cat-file', '-t', 'main:app/config')).toBe('tree');
    await apply([{ path: 'app/code', content: 'now a file\n' }]);
    expect(gitIn(gitdir, 'cat-file', '-t', 'main:app/code')).toBe('blob');
    expect(files()).toEqual(['app/code', 'app/config/settings.yaml', 'keep.txt']);
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('keeps an executable bit when rewriting a file', async () => {
    const head = gitIn(gitdir, 'rev-parse', 'main');
    const blob = runGit(['--git-dir', gitdir, 'hash-object', '-w', '--stdin'], { input: '#!/bin/sh\n' });
    const root = runGit(['--git-dir', gitdir, 'mktree'], { input: `100755 blob ${blob}\trun.sh\n` });
    const executable = gitIn(gitdir, 'commit-tree', root, '-p', head, '-m', 'exec');
    gitIn(gitdir, 'update-ref', 'refs/heads/main', executable, head);
    await apply([
      { path: 'run.sh', content: '#!/bin/sh\necho hi\n' },
      { path: 'new.sh', content: 'x' },
    ]);
    expect(gitIn(gitdir, 'ls-tree', 'main')).toMatch(/^100644 blob \w+\tnew\.sh\n100755 blob \w+\trun\.sh$/);
  });

  it('turns bad plans into input errors for that request only', async () => {
    // What an untyped caller (JavaScript, JSON from elsewhere) could hand over.
    const untyped = (json: string): Promise<readonly FileChange[]> => Promise.resolve(JSON.parse(json));
    const bad = [
      changeRequest({ requestId: 'bad-1', plan: () => untyped('[{"path":"a","content":42}]') }),
      changeRequest({ requestId: 'bad-2', plan: () => untyped('"not a list"') }),
      changeRequest({ requestId: 'bad-3', changes: [{ path: '/abs', content: 'x' }] }),
      changeRequest({ requestId: 'bad-4', changes: [{ path: 'a//b', content: 'x' }] }),
      changeRequest({ requestId: 'bad-5', changes: [{ path: 'a\\b', content: 'x' }] }),
      { ...changeRequest({ requestId: 'bad-6', changes: [{ path: 'a', content: 'x' }] }), timestamp: 1.5 },
    ];
    const good = changeRequest({ requestId: 'good', changes: [{ path: 'ok.txt', content: 'ok\n' }] });
    const outcomes = await Promise.allSettled([...bad.map((r) => adapter.apply(r)), adapter.apply(good)]);
    for (const outcome of outcomes.slice(0, bad.length)) {
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(InputError);
    }
    expect(outcomes.at(-1)?.status).toBe('fulfilled');
    expect(gitIn(gitdir, 'rev-list', '--count', 'main')).toBe('2');
  });
});
