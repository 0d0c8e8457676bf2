import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitObject } from 'isomorphic-git';
import { encodeCommit, encodeObject, encodeTree, writeLooseObject } from '../../src/adapters/git/object-writer.js';
import type { GitTreeEntry } from '../../src/adapters/git/tree-entry.js';
import { gitEnv, gitIn, initBare, tempDir, type TempDir } from '../support/git-fixtures.js';
import { toolOrSkip } from '../support/tools.js';

/*
 * object-writer.ts encodes trees and commits by hand (for speed, see its
 * header). These hold it to git itself: trees against `git mktree`, commits
 * against `git commit-tree` with the same dates, all read back by
 * `git cat-file` and checked by `git fsck --strict`.
 */
describe.skipIf(!toolOrSkip('git'))('hand-encoded git objects, checked by git', () => {
  let dir: TempDir;
  let gitdir: string;
  beforeAll(() => {
    dir = tempDir();
    gitdir = initBare(dir.path);
  });
  afterAll(() => dir.remove());

  const store = async (type: 'blob' | 'tree' | 'commit', content: Uint8Array) => {
    const object = encodeObject(type, content);
    await writeLooseObject(gitdir, object);
    return object.oid;
  };
  const blob = (text: string) => store('blob', Buffer.from(text));
  /** `git mktree`'s id for the same entries, given in reverse so that git does the sorting. */
  const mktree = (entries: readonly GitTreeEntry[]) =>
    execFileSync('git', [`--git-dir=${gitdir}`, 'mktree'], {
      env: gitEnv(),
      input: [...entries]
        .reverse()
        .map((e) => `${e.mode} ${e.type} ${e.oid}\t${e.name}\n`)
        .join(''),
    })
      .toString()
      .trim();

  it('writes trees byte for byte as git mktree does, with folders ordered as if their names ended in "/"', async () => {
    const file = await blob('file\n');
    const script = await blob('#!/bin/sh\n');
    const inner = await store('tree', encodeTree([{ name: 'x.txt', mode: '100644', type: 'blob', oid: file }]));
    // "foo-bar" < "foo.c" < "foo" (as "foo/") < "foo0": a plain sort by name would put the folder first;
    // "ｚ" (U+FF5A) < "😀" in git's UTF-8 byte order, the other way round in UTF-16 code units.
    const entries: GitTreeEntry[] = [
      { name: 'foo', mode: '040000', type: 'tree', oid: inner },
      { name: 'foo.c', mode: '100644', type: 'blob', oid: file },
      { name: 'foo-bar', mode: '100644', type: 'blob', oid: file },
      { name: 'foo0', mode: '100755', type: 'blob', oid: script },
      { name: 'a', mode: '100644', type: 'blob', oid: file },
      { name: 'a.d', mode: '040000', type: 'tree', oid: inner },
      { name: 'Z', mode: '100644', type: 'blob', oid: file },
      { name: 'é', mode: '100644', type: 'blob', oid: file },
      { name: 'ｚ', mode: '100644', type: 'blob', oid: file },
      { name: '😀', mode: '100644', type: 'blob', oid: file },
      { name: 'link', mode: '120000', type: 'blob', oid: file },
    ];
    const oid = await store('tree', encodeTree(entries));
    expect(oid).toBe(mktree(entries));
    expect(gitIn(gitdir, '-c', 'core.quotePath=false', 'ls-tree', '--name-only', oid).split('\n')).toEqual([
      'Z',
      'a',
      'a.d',
      'foo-bar',
      'foo.c',
      'foo',
      'foo0',
      'link',
      'é',
      'ｚ',
      '😀',
    ]);
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it.each([
    ['UTC', 0, 0],
    ['east of UTC (+0530)', -330, -330],
    ['west of UTC (-0800)', 480, 480],
    ['author and committer in different zones (+1345, -0230)', -825, 150],
  ])('writes commits as git commit-tree does, %s', async (_zone, authorOffset, committerOffset) => {
    const tree = await store('tree', encodeTree([{ name: 'a.txt', mode: '100644', type: 'blob', oid: await blob(`a ${authorOffset}\n`) }]));
    const parent = execFileSync('git', [`--git-dir=${gitdir}`, 'commit-tree', tree, '-m', 'parent'], { env: gitEnv() })
      .toString()
      .trim();
    const commit: CommitObject = {
      tree,
      parent: [parent],
      author: { name: 'Alice Example', email: 'alice@example.com', timestamp: 1_700_000_000, timezoneOffset: authorOffset },
      committer: { name: 'Berth', email: 'berth@berth.test', timestamp: 1_700_000_123, timezoneOffset: committerOffset },
      message: 'deploy alice/todo\n\nBerth-App: alice/todo\nBerth-Request: r-1\n',
    };
    const oid = await store('commit', encodeCommit(commit));
    const zone = (minutesWest: number) => {
      const east = -minutesWest;
      const abs = Math.abs(east);
      return `${east < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
    };
    const byGit = execFileSync('git', [`--git-dir=${gitdir}`, 'commit-tree', tree, '-p', parent, '-F', '-'], {
      env: {
        ...gitEnv(),
        GIT_AUTHOR_NAME: 'Alice Example',
        GIT_AUTHOR_EMAIL: 'alice@example.com',
        GIT_AUTHOR_DATE: `1700000000 ${zone(authorOffset)}`,
        GIT_COMMITTER_NAME: 'Berth',
        GIT_COMMITTER_EMAIL: 'berth@berth.test',
        GIT_COMMITTER_DATE: `1700000123 ${zone(committerOffset)}`,
      },
      input: commit.message,
    })
      .toString()
      .trim();
    expect(oid).toBe(byGit);
    const text = gitIn(gitdir, 'cat-file', 'commit', oid);
    expect(text).toContain(`author Alice Example <alice@example.com> 1700000000 ${zone(authorOffset)}`);
    expect(text).toContain(`committer Berth <berth@berth.test> 1700000123 ${zone(committerOffset)}`);
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });
});
