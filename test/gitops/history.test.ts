import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import { execFileSync } from 'node:child_process';
import { commitsOf, freshClone, fsckStrict, gitOut } from '../support/git-cli.js';
import { alice, bob, createFixture, helloApp, operator } from './setup.js';

type Fixture = Awaited<ReturnType<typeof createFixture>>;
const committed = (r: { status: string; commit?: string | undefined }) => {
  if (r.status !== 'committed' || !r.commit) throw new Error(`expected a commit, got ${r.status}`);
  return r.commit;
};

describe('rollback, revert and releases', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture();
  });
  afterEach(async () => f.close());

  it('rollback restores the app folder as of an earlier commit, as a new commit, leaving other apps alone', async () => {
    const v1 = committed(await f.gitops.deploy(helloApp('alice', 'todo', 'v1'), { actor: alice, requestId: f.nextRequest() }));
    await f.gitops.deploy(helloApp('alice', 'todo', 'v2'), { actor: alice, requestId: f.nextRequest() });
    await f.gitops.deploy(helloApp('bob', 'blog', 'b1'), { actor: bob, requestId: f.nextRequest() });
    const back = committed(await f.gitops.rollback({ tenant: 'alice', app: 'todo', to: v1 }, { actor: alice, requestId: f.nextRequest() }));
    expect(gitOut(f.gitdir, ['diff', '--stat', v1, back, '--', 'tenants/2b/alice/todo'])).toBe('');
    expect(gitOut(f.gitdir, ['show', `${back}:tenants/81/bob/blog/code/main.py`])).toContain('b1');
    expect(gitOut(f.gitdir, ['log', '-1', '--format=%(trailers:key=Berth-Action,valueonly)', back]).trim()).toBe('rollback');
    fsckStrict(f.gitdir);
  });

  it('rollback to a commit where the app did not exist is a clear not-found', async () => {
    const before = gitOut(f.gitdir, ['rev-parse', 'main']).trim();
    await f.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: f.nextRequest() });
    await expect(f.gitops.rollback({ tenant: 'alice', app: 'todo', to: before }, { actor: alice, requestId: f.nextRequest() })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('revert undoes one commit and re-derives the index, even with other apps added since', async () => {
    await f.gitops.deploy(helloApp('alice', 'todo', 'v1'), { actor: alice, requestId: f.nextRequest() });
    const added = committed(await f.gitops.deploy(helloApp('alice', 'notes'), { actor: alice, requestId: f.nextRequest() }));
    await f.gitops.deploy(helloApp('alice', 'blog'), { actor: alice, requestId: f.nextRequest() });
    const reverted = committed(await f.gitops.revert(added, { actor: operator, requestId: f.nextRequest() }));
    const files = gitOut(f.gitdir, ['ls-tree', '-r', '--name-only', reverted]);
    expect(files).not.toContain('tenants/2b/alice/notes/');
    expect(files).toContain('tenants/2b/alice/blog/');
    const tenantIndex = files.split('\n').find((p) => p.endsWith('/alice/kustomization.yaml')) ?? '';
    const index = gitOut(f.gitdir, ['show', `${reverted}:${tenantIndex}`]);
    expect(index).toContain('blog.yaml');
    expect(index).not.toContain('notes.yaml');
    const message = gitOut(f.gitdir, ['log', '-1', '--format=%B', reverted]);
    expect(message).toContain(`This reverts commit ${added}.`);
    expect(message).toContain('Berth-Action: revert');
    expect(message).toContain('Berth-App: alice/notes');
    fsckStrict(f.gitdir);
  });

  it('revert of a commit whose files changed again since is a conflict, and nothing is written', async () => {
    const v1 = committed(await f.gitops.deploy(helloApp('alice', 'todo', 'v1'), { actor: alice, requestId: f.nextRequest() }));
    await f.gitops.deploy(helloApp('alice', 'todo', 'v2'), { actor: alice, requestId: f.nextRequest() });
    const head = gitOut(f.gitdir, ['rev-parse', 'main']).trim();
    const error = await f.gitops.revert(v1, { actor: operator, requestId: f.nextRequest() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BerthError);
    expect(error).toMatchObject({ code: 'revert_conflict' });
    expect((error as BerthError).details).toMatchObject({ paths: expect.arrayContaining(['tenants/2b/alice/todo/code/main.py']) });
    expect(gitOut(f.gitdir, ['rev-parse', 'main']).trim()).toBe(head);
  });

  it('releases come from Git, newest first, including commits made outside Berth', async () => {
    await f.gitops.deploy(helloApp('alice', 'todo', 'v1'), { actor: alice, requestId: f.nextRequest() });
    const v2 = committed(await f.gitops.deploy(helloApp('alice', 'todo', 'v2'), { actor: alice, requestId: f.nextRequest() }));
    await f.gitops.deploy(helloApp('bob', 'blog'), { actor: bob, requestId: f.nextRequest() });
    // An operator rolls alice/todo back by hand: `git revert` with plain git, then pushes.
    const clone = freshClone(f.gitdir);
    execFileSync('git', ['-C', clone, '-c', 'user.name=Ops', '-c', 'user.email=ops@example.com', 'revert', '--no-edit', v2], { stdio: 'pipe' });
    execFileSync('git', ['-C', clone, 'push', '-q', 'origin', 'main'], { stdio: 'pipe' });
    const releases = await f.gitops.releases({ tenant: 'alice', app: 'todo' });
    expect(releases.map((r) => r.action)).toEqual([undefined, 'deploy', 'deploy']);
    expect(releases[0]?.author).toBe('Ops');
    expect(releases[1]?.commit).toBe(v2);
    expect(releases[1]?.actor).toBe('u-alice');
    expect(releases[1]?.message).toBe('deploy alice/todo');
    // Berth keeps writing on top of the operator's commit.
    committed(await f.gitops.deploy(helloApp('alice', 'todo', 'v3'), { actor: alice, requestId: f.nextRequest() }));
    expect(commitsOf(f.gitdir)).toHaveLength(6);
    fsckStrict(f.gitdir);
  });
});
