import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalGit } from '../../src/adapters/git/index.js';
import type { LocalGit } from '../../src/adapters/git/index.js';
import { ConflictError, InputError, NotFoundError } from '../../src/errors.js';
import type { FileChange } from '../../src/ports/git.js';
import { ALICE, BERTH, changeRequest, gitIn, initBare, seedCommit, tempDir } from '../support/git-fixtures.js';
import type { TempDir } from '../support/git-fixtures.js';
import { toolOrSkip } from '../support/tools.js';

function looseObjects(gitdir: string): Set<string> {
  const found = new Set<string>();
  for (const dir of readdirSync(join(gitdir, 'objects'))) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const file of readdirSync(join(gitdir, 'objects', dir))) found.add(dir + file);
  }
  return found;
}

function write(path: string, content: string): FileChange {
  return { path, content };
}

describe.skipIf(!toolOrSkip('git'))('git adapter: apply', () => {
  let dir: TempDir;
  let gitdir: string;
  let adapter: LocalGit;

  beforeEach(() => {
    dir = tempDir();
    gitdir = initBare(dir.path);
    adapter = createLocalGit({ gitdir, committer: BERTH });
  });

  afterEach(async () => {
    await adapter.close();
    dir.remove();
  });

  it('writes one commit per request: author from the request, Berth as committer, trailers, fsck clean', async () => {
    const first = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [write('a/one.txt', '1\n')], timestamp: 1_700_000_100 }));
    const second = await adapter.apply(changeRequest({ requestId: 'r-2', changes: [write('a/two.txt', '2\n')], timestamp: 1_700_000_200 }));
    expect(first).toEqual({ status: 'committed', commit: expect.any(String), changes: [write('a/one.txt', '1\n')] });
    expect(second.status).toBe('committed');
    const lines = gitIn(gitdir, 'log', '--format=%H|%P|%an|%ae|%cn|%ce|%at|%ct|%(trailers:key=Berth-Request,valueonly,separator=)', 'main').split('\n');
    expect(lines).toEqual([
      `${second.status === 'committed' ? second.commit : ''}|${first.status === 'committed' ? first.commit : ''}|${ALICE.name}|${ALICE.email}|Berth|berth@berth.test|1700000200|1700000200|r-2`,
      `${first.status === 'committed' ? first.commit : ''}||${ALICE.name}|${ALICE.email}|Berth|berth@berth.test|1700000100|1700000100|r-1`,
    ]);
    expect(gitIn(gitdir, 'show', 'main:a/two.txt')).toBe('2');
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('writes only the changed paths: untouched subtrees keep their ids', async () => {
    const files: Array<[string, string]> = [];
    for (const tenant of ['alice', 'bob', 'carol']) {
      for (const app of ['todo', 'blog']) {
        files.push([`tenants/${tenant}/${app}/deployment.yaml`, `${tenant}-${app}\n`], [`tenants/${tenant}/${app}/code/main.py`, 'print(1)\n']);
      }
    }
    seedCommit(gitdir, 'main', files);
    const idOf = (path: string) => gitIn(gitdir, 'rev-parse', `main:${path}`);
    const before = { bob: idOf('tenants/bob'), code: idOf('tenants/alice/todo/code'), blog: idOf('tenants/alice/blog'), app: idOf('tenants/alice/todo') };
    const objectsBefore = looseObjects(gitdir);
    await adapter.apply(changeRequest({ requestId: 'r-1', changes: [write('tenants/alice/todo/deployment.yaml', 'changed\n')] }));
    expect(idOf('tenants/bob')).toBe(before.bob);
    expect(idOf('tenants/alice/todo/code')).toBe(before.code);
    expect(idOf('tenants/alice/blog')).toBe(before.blog);
    expect(idOf('tenants/alice/todo')).not.toBe(before.app);
    // One blob, four trees (app, tenant, tenants, root) and the commit: nothing else was rewritten.
    const written = [...looseObjects(gitdir)].filter((oid) => !objectsBefore.has(oid));
    expect(written).toHaveLength(6);
    expect(gitIn(gitdir, 'diff-tree', '-r', '--name-only', '--no-commit-id', 'main')).toBe('tenants/alice/todo/deployment.yaml');
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('removes a folder with its last file, and deletes whole folders', async () => {
    seedCommit(gitdir, 'main', [
      ['tenants/alice/todo/a.txt', 'a'],
      ['tenants/alice/todo/code/main.py', 'x'],
      ['tenants/bob/blog/b.txt', 'b'],
    ]);
    await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'tenants/bob/blog/b.txt', content: null }] }));
    expect(gitIn(gitdir, 'ls-tree', '--name-only', 'main', 'tenants/')).toBe('tenants/alice');
    await adapter.apply(changeRequest({ requestId: 'r-2', changes: [{ path: 'tenants/alice/todo', content: null }] }));
    expect(gitIn(gitdir, 'ls-tree', '-r', '--name-only', 'main')).toBe('');
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('reports unchanged and writes no commit when the plan changes nothing', async () => {
    const head = seedCommit(gitdir, 'main', [['a.txt', 'same']]);
    const outcome = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [write('a.txt', 'same'), { path: 'missing.txt', content: null }] }));
    expect(outcome).toEqual({ status: 'unchanged', commit: head });
    expect(gitIn(gitdir, 'rev-parse', 'main')).toBe(head);
  });

  it('fails only the request whose plan throws', async () => {
    const outcomes = await Promise.allSettled([
      adapter.apply(changeRequest({ requestId: 'r-1', changes: [write('one.txt', '1')] })),
      adapter.apply(changeRequest({ requestId: 'r-2', plan: async () => Promise.reject(new NotFoundError('no such app')) })),
      adapter.apply(changeRequest({ requestId: 'r-3', changes: [write('three.txt', '3')] })),
      adapter.apply(changeRequest({ requestId: 'r-4', changes: [write('../escape', 'x')] })),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(outcomes[1]?.status === 'rejected' && outcomes[1].reason).toBeInstanceOf(NotFoundError);
    expect(outcomes[3]?.status === 'rejected' && outcomes[3].reason).toBeInstanceOf(InputError);
    expect(gitIn(gitdir, 'log', '--format=%(trailers:key=Berth-Request,valueonly,separator=)', 'main')).toBe('r-3\nr-1');
  });

  it('returns the first commit for a repeated request id and commits nothing', async () => {
    const first = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [write('a.txt', '1')] }));
    const again = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [write('a.txt', '2')] }));
    const together = await Promise.all([
      adapter.apply(changeRequest({ requestId: 'r-2', changes: [write('b.txt', '1')] })),
      adapter.apply(changeRequest({ requestId: 'r-2', changes: [write('b.txt', '2')] })),
    ]);
    expect(first.status).toBe('committed');
    expect(again).toEqual({ status: 'duplicate', commit: first.commit });
    expect(together[1]).toEqual({ status: 'duplicate', commit: together[0].commit });
    expect(gitIn(gitdir, 'rev-list', '--count', 'main')).toBe('2');
    expect(await adapter.findRequest('main', 'r-1')).toBe(first.commit);
    expect(await adapter.findRequest('main', 'nope')).toBeUndefined();
  });

  it('finds a request committed by another adapter instance (another process)', async () => {
    const other = createLocalGit({ gitdir, committer: BERTH });
    await adapter.apply(changeRequest({ requestId: 'warm-up', changes: [write('w.txt', 'w')] }));
    const theirs = await other.apply(changeRequest({ requestId: 'shared', changes: [write('a.txt', 'theirs')] }));
    const mine = await adapter.apply(changeRequest({ requestId: 'shared', changes: [write('a.txt', 'mine')] }));
    expect(mine).toEqual({ status: 'duplicate', commit: theirs.commit });
    expect(gitIn(gitdir, 'show', 'main:a.txt')).toBe('theirs');
    await other.close();
  });

  it('lands one of two requests planned on the same base for the same app; the other is a conflict', async () => {
    const base = seedCommit(gitdir, 'main', [
      ['tenants/alice/todo/code/main.py', 'v0'],
      ['tenants/bob/x.txt', 'x'],
    ]);
    const guarded = (requestId: string, content: string) =>
      changeRequest({ requestId, base, guardPaths: ['tenants/alice/todo'], changes: [write('tenants/alice/todo/code/main.py', content)] });
    const outcomes = await Promise.allSettled([adapter.apply(guarded('r-1', 'v1')), adapter.apply(guarded('r-2', 'v2'))]);
    expect(outcomes[0]?.status).toBe('fulfilled');
    const rejected = outcomes[1];
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(ConflictError);
    expect(rejected?.status === 'rejected' && rejected.reason).toMatchObject({ code: 'conflict', details: { paths: ['tenants/alice/todo'], base } });
    // A guard on another app does not conflict with that change.
    const elsewhere = await adapter.apply(changeRequest({ requestId: 'r-3', base, guardPaths: ['tenants/bob'], changes: [write('tenants/bob/x.txt', 'y')] }));
    expect(elsewhere.status).toBe('committed');
    expect(gitIn(gitdir, 'show', 'main:tenants/alice/todo/code/main.py')).toBe('v1');
  });

  it('rejects requests the port cannot honour without writing anything', async () => {
    const otherTrailer = {
      ...changeRequest({ requestId: 'r-1', changes: [write('a.txt', 'a')] }),
      meta: { author: ALICE, message: 'x\n\nBerth-Request: r-0\n' },
    };
    await expect(adapter.apply(otherTrailer)).rejects.toBeInstanceOf(InputError);
    await expect(adapter.apply(changeRequest({ requestId: 'r-2', branch: 'bad..name' }))).rejects.toMatchObject({ code: 'invalid_name' });
    await expect(adapter.apply(changeRequest({ requestId: 'line\nbreak' }))).rejects.toBeInstanceOf(InputError);
    await expect(adapter.apply(changeRequest({ requestId: 'r-3', changes: [write('x/.git/config', 'a')] }))).rejects.toMatchObject({
      code: 'invalid_path',
    });
    await expect(
      adapter.apply(changeRequest({ requestId: 'r-4', author: { name: 'Eve <evil>', email: 'e@x' }, changes: [write('a.txt', 'a')] })),
    ).rejects.toBeInstanceOf(InputError);
    expect(await adapter.head('main')).toBeUndefined();
  });

  it('appends the Berth-Request trailer to a message without one, so a retry still finds the commit', async () => {
    const bare = { ...changeRequest({ requestId: 'r-1', changes: [write('a.txt', 'a')] }), meta: { author: ALICE, message: 'older template' } };
    const first = await adapter.apply(bare);
    expect(gitIn(gitdir, 'log', '-1', '--format=%B', 'main')).toBe('older template\n\nBerth-Request: r-1');
    const withTrailers = {
      ...changeRequest({ requestId: 'r-2', changes: [write('b.txt', 'b')] }),
      meta: { author: ALICE, message: 'subject\n\nBerth-Action: deploy' },
    };
    await adapter.apply(withTrailers);
    expect(gitIn(gitdir, 'log', '-1', '--format=%B', 'main')).toBe('subject\n\nBerth-Action: deploy\nBerth-Request: r-2');
    expect(await adapter.apply(bare)).toEqual({ status: 'duplicate', commit: first.commit });
  });

  it('lands 50 concurrent applies of different paths as 50 commits in one group, quickly', async () => {
    seedCommit(gitdir, 'main', [['README.md', 'apps\n']]);
    // Group commits plan everything on one head and move the ref once: every plan sees the ref unmoved.
    const headsSeenWhilePlanning = new Set<string | undefined>();
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        adapter.apply(
          changeRequest({
            requestId: `r-${i}`,
            plan: async () => {
              headsSeenWhilePlanning.add(await adapter.head('main'));
              return [write(`tenants/t${i % 7}/app-${i}/code/main.py`, `print(${i})\n`)];
            },
          }),
        ),
      ),
    );
    const elapsed = performance.now() - started;
    expect(outcomes.every((outcome) => outcome.status === 'committed')).toBe(true);
    expect(headsSeenWhilePlanning.size).toBe(1);
    expect(new Set(outcomes.map((outcome) => outcome.commit)).size).toBe(50);
    expect(gitIn(gitdir, 'rev-list', '--count', 'main')).toBe('51');
    const requests = gitIn(gitdir, 'log', '--format=%(trailers:key=Berth-Request,valueonly,separator=)', 'main').split('\n').filter(Boolean);
    expect(new Set(requests)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `r-${i}`)));
    expect(gitIn(gitdir, 'ls-tree', '-r', '--name-only', 'main', 'tenants').split('\n')).toHaveLength(50);
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    // About 0.3 s on an idle machine; the bound only catches losing group commits (several seconds).
    expect(elapsed).toBeLessThan(3_000);
  });

  it('loses nothing when two processes write the same branch at once (compare-and-swap, re-plan, retry)', async () => {
    seedCommit(gitdir, 'main', [['README.md', 'apps\n']]);
    const other = createLocalGit({ gitdir, committer: BERTH, maxGroup: 4, backoffMaxMs: 50 });
    const single = createLocalGit({ gitdir, committer: BERTH, maxGroup: 4, backoffMaxMs: 50 });
    const burst = (git: LocalGit, prefix: string) =>
      Array.from({ length: 20 }, (_, i) => git.apply(changeRequest({ requestId: `${prefix}-${i}`, changes: [write(`${prefix}/${i}.txt`, `${i}\n`)] })));
    const outcomes = await Promise.all([...burst(other, 'a'), ...burst(single, 'b')]);
    expect(outcomes.every((outcome) => outcome.status === 'committed')).toBe(true);
    expect(gitIn(gitdir, 'rev-list', '--count', 'main')).toBe('41');
    expect(gitIn(gitdir, 'ls-tree', '-r', '--name-only', 'main', 'a', 'b').split('\n')).toHaveLength(40);
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    await Promise.all([other.close(), single.close()]);
  });

  it('re-plans on the new head when git moves the branch between plan and compare-and-swap', async () => {
    const seeded = seedCommit(gitdir, 'main', [
      ['app/config.txt', 'v0'],
      ['counter.txt', '0'],
    ]);
    let plans = 0;
    const outcome = await adapter.apply(
      changeRequest({
        requestId: 'r-1',
        plan: async (tree) => {
          plans += 1;
          if (plans === 1) {
            // Another writer (an operator on the host) commits while we plan.
            const external = gitIn(gitdir, 'commit-tree', `${seeded}^{tree}`, '-p', seeded, '-m', 'external');
            gitIn(gitdir, 'update-ref', 'refs/heads/main', external, seeded);
          }
          const counter = Number(await tree.readFile('counter.txt'));
          return [write('counter.txt', String(counter + 1)), write('seen.txt', tree.commit ?? '')];
        },
      }),
    );
    expect(plans).toBe(2);
    const subjects = gitIn(gitdir, 'log', '--format=%s', 'main').split('\n');
    expect(subjects).toEqual(['deploy alice/todo: r-1', 'external', 'seed']);
    expect(outcome.status === 'committed' && gitIn(gitdir, 'rev-parse', 'main')).toBe(outcome.commit);
    expect(gitIn(gitdir, 'show', 'main:seen.txt')).toBe(gitIn(gitdir, 'rev-parse', 'main~1'));
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });
});
