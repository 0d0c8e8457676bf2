import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitsOf, fsckStrict, gitOut } from '../support/git-cli.js';
import { alice, createFixture, helloApp } from './setup.js';

type Fixture = Awaited<ReturnType<typeof createFixture>>;

describe('concurrent writers', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture();
  });
  afterEach(async () => f.close());

  it('50 concurrent deploys of different apps land as 50 commits, none lost', async () => {
    const tenants = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        f.gitops.deploy(helloApp(tenants[i % tenants.length] ?? 'alice', `app-${i}`), {
          actor: { id: `u-${i}`, username: `user${i}`, email: `user${i}@example.com` },
          requestId: `burst-${i}`,
        }),
      ),
    );
    expect(results.every((r) => r.status === 'committed')).toBe(true);
    const commits = commitsOf(f.gitdir);
    expect(commits).toHaveLength(51);
    const requests = commits.flatMap((c) => /Berth-Request: (\S+)/.exec(c.message)?.[1] ?? []);
    expect(new Set(requests).size).toBe(50);
    const files = gitOut(f.gitdir, ['ls-tree', '-r', '--name-only', 'main']);
    for (let i = 0; i < 50; i++) expect(files).toContain(`/app-${i}/code/main.py`);
    // Every tenant index lists all of its apps: index files were re-derived per commit, not overwritten.
    const indexes = files.split('\n').filter((p) => /^flux\/groups\/[0-9a-f]{2}\/[a-z]+\/kustomization\.yaml$/.test(p));
    const listed = indexes.flatMap((p) => gitOut(f.gitdir, ['show', `main:${p}`]).match(/app-\d+\.yaml/g) ?? []);
    expect(new Set(listed).size).toBe(50);
    fsckStrict(f.gitdir);
  });

  it('two concurrent deploys of the same app from the same base: one lands, the other is a conflict, never a silent overwrite', async () => {
    await f.gitops.deploy(helloApp('alice', 'todo', 'v1'), { actor: alice, requestId: f.nextRequest() });
    const base = gitOut(f.gitdir, ['rev-parse', 'main']).trim();
    const settled = await Promise.allSettled([
      f.gitops.deploy(helloApp('alice', 'todo', 'mine'), { actor: alice, requestId: 'a', base }),
      f.gitops.deploy(helloApp('alice', 'todo', 'theirs'), { actor: alice, requestId: 'b', base }),
    ]);
    const landed = settled.filter((s) => s.status === 'fulfilled');
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(landed).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    expect(commitsOf(f.gitdir)).toHaveLength(3);
    const winner = (landed[0] as PromiseFulfilledResult<{ status: string }>).value;
    expect(winner.status).toBe('committed');
  });

  it('without a base, the later deploy of the same app lands on top', async () => {
    await Promise.all([
      f.gitops.deploy(helloApp('alice', 'todo', 'one'), { actor: alice, requestId: 'x' }),
      f.gitops.deploy(helloApp('alice', 'todo', 'two'), { actor: alice, requestId: 'y' }),
    ]);
    expect(commitsOf(f.gitdir)).toHaveLength(3);
  });
});
