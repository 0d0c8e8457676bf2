import { existsSync, readFileSync, utimesSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalGit, RefLockedError } from '../../src/adapters/git/index.js';
import type { LocalGit } from '../../src/adapters/git/index.js';
import { ConflictError, InputError, GitUnavailableError } from '../../src/errors.js';
import { BERTH, changeRequest, commitOf, gitIn, initBare, seedCommit, tempDir } from '../support/git-fixtures.js';
import type { TempDir } from '../support/git-fixtures.js';
import { toolOrSkip } from '../support/tools.js';

describe.skipIf(!toolOrSkip('git'))('git adapter: refs, locks and packed repositories', () => {
  let dir: TempDir;
  let gitdir: string;
  let adapter: LocalGit;
  let seeded: string;

  beforeEach(() => {
    dir = tempDir();
    gitdir = initBare(dir.path);
    seeded = seedCommit(gitdir, 'main', [
      ['tenants/alice/todo/code/main.py', 'v0\n'],
      ['README.md', 'hi\n'],
    ]);
    adapter = createLocalGit({ gitdir, committer: BERTH, lockWaitMs: 300, backoffMaxMs: 20 });
  });

  afterEach(async () => {
    await adapter.close();
    dir.remove();
  });

  it('keeps working after git gc packs objects and refs, in this and in a fresh adapter', async () => {
    const before = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'a.txt', content: 'a' }] }));
    gitIn(gitdir, 'gc', '--quiet', '--prune=now');
    expect(existsSync(join(gitdir, 'refs/heads/main'))).toBe(false);
    expect(readFileSync(join(gitdir, 'packed-refs'), 'utf8')).toContain('refs/heads/main');
    expect(await adapter.head('main')).toBe(before.commit);
    const after = await adapter.apply(changeRequest({ requestId: 'r-2', changes: [{ path: 'b.txt', content: 'b' }] }));
    expect(after.status).toBe('committed');
    const fresh = createLocalGit({ gitdir, committer: BERTH });
    gitIn(gitdir, 'gc', '--quiet', '--prune=now');
    expect(await fresh.findRequest('main', 'r-1')).toBe(before.commit);
    expect(await (await fresh.tree(await fresh.head('main'))).readFile('tenants/alice/todo/code/main.py')).toBe('v0\n');
    const third = await fresh.apply(changeRequest({ requestId: 'r-3', changes: [{ path: 'tenants/alice/todo/code/main.py', content: 'v1\n' }] }));
    expect(third.status).toBe('committed');
    await fresh.close();
    expect(gitIn(gitdir, 'rev-list', '--count', 'main')).toBe('4');
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('interoperates with git update-ref in both directions', async () => {
    const outcome = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'a.txt', content: 'a' }] }));
    const ours = commitOf(outcome);
    const external = gitIn(gitdir, 'commit-tree', `${ours}^{tree}`, '-p', ours, '-m', 'external');
    gitIn(gitdir, 'update-ref', 'refs/heads/main', external, ours);
    expect(await adapter.head('main')).toBe(external);
    await adapter.updateBranch('main', seeded, external);
    expect(gitIn(gitdir, 'rev-parse', 'main')).toBe(seeded);
  });

  it('removes a stale lock left by a crashed writer, but waits for and respects a fresh one', async () => {
    const lock = join(gitdir, 'refs/heads/main.lock');
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const outcome = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'a.txt', content: 'a' }] }));
    expect(outcome.status).toBe('committed');
    expect(existsSync(lock)).toBe(false);

    const patient = createLocalGit({ gitdir, committer: BERTH, lockWaitMs: 2_000 });
    writeFileSync(lock, '');
    setTimeout(() => rmSync(lock, { force: true }), 150);
    const waited = await patient.apply(changeRequest({ requestId: 'r-2', changes: [{ path: 'b.txt', content: 'b' }] }));
    expect(waited.status).toBe('committed');
    await patient.close();

    const impatient = createLocalGit({ gitdir, committer: BERTH, lockWaitMs: 100, maxAttempts: 2, backoffMaxMs: 10 });
    writeFileSync(lock, '');
    const head = gitIn(gitdir, 'rev-parse', 'main');
    const failed = impatient.apply(changeRequest({ requestId: 'r-3', changes: [{ path: 'c.txt', content: 'c' }] }));
    await expect(failed).rejects.toBeInstanceOf(RefLockedError);
    await expect(failed).rejects.toBeInstanceOf(GitUnavailableError);
    expect(existsSync(lock)).toBe(true);
    expect(gitIn(gitdir, 'rev-parse', 'main')).toBe(head);
    rmSync(lock);
    await impatient.close();
  });

  it('creates, writes and deletes branches whose names contain slashes', async () => {
    const branch = 'berth/alice/todo/123';
    await adapter.updateBranch(branch, seeded, undefined);
    const outcome = await adapter.apply(changeRequest({ branch, requestId: 'r-1', changes: [{ path: 'tenants/alice/todo/code/main.py', content: 'v1\n' }] }));
    expect(gitIn(gitdir, 'rev-parse', branch)).toBe(outcome.commit);
    expect(gitIn(gitdir, 'rev-parse', 'main')).toBe(seeded);
    expect(await adapter.findRequest(branch, 'r-1')).toBe(outcome.commit);
    expect(await adapter.findRequest('main', 'r-1')).toBeUndefined();
    await adapter.deleteBranch(branch);
    expect(await adapter.head(branch)).toBeUndefined();
    expect(existsSync(join(gitdir, 'refs/heads/berth'))).toBe(false);
    expect(gitIn(gitdir, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
  });

  it('deletes a branch that only exists in packed-refs, keeping the other packed refs', async () => {
    await adapter.updateBranch('berth/bob/blog/1', seeded, undefined);
    await adapter.updateBranch('keep', seeded, undefined);
    gitIn(gitdir, 'pack-refs', '--all');
    expect(existsSync(join(gitdir, 'refs/heads/berth/bob/blog/1'))).toBe(false);
    await adapter.deleteBranch('berth/bob/blog/1');
    expect(gitIn(gitdir, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/keep\nrefs/heads/main');
    expect(readFileSync(join(gitdir, 'packed-refs'), 'utf8')).not.toContain('berth/bob');
    expect(await adapter.head('keep')).toBe(seeded);
    await adapter.deleteBranch('never-existed');
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('moves a branch only from the expected commit', async () => {
    const next = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'a.txt', content: 'a' }] }));
    await expect(adapter.updateBranch('main', seeded, seeded)).rejects.toBeInstanceOf(ConflictError);
    await expect(adapter.updateBranch('main', seeded, undefined)).rejects.toBeInstanceOf(ConflictError);
    await expect(adapter.updateBranch('other', seeded, commitOf(next))).rejects.toBeInstanceOf(ConflictError);
    await adapter.updateBranch('main', seeded, commitOf(next));
    expect(await adapter.head('main')).toBe(seeded);
    await expect(adapter.updateBranch('main', 'f'.repeat(40), seeded)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a branch that would be a folder of another branch, loose or packed', async () => {
    await adapter.updateBranch('team', seeded, undefined);
    await expect(adapter.updateBranch('team/x', seeded, undefined)).rejects.toBeInstanceOf(InputError);
    await expect(adapter.updateBranch('main/sub', seeded, undefined)).rejects.toMatchObject({ code: 'invalid_name' });
    gitIn(gitdir, 'pack-refs', '--all');
    await expect(adapter.updateBranch('team/y', seeded, undefined)).rejects.toMatchObject({ code: 'invalid_name' });
    // An empty folder left behind by deleted branches is no obstacle.
    mkdirSync(join(gitdir, 'refs/heads/empty'), { recursive: true });
    await adapter.updateBranch('empty', seeded, undefined);
    expect(gitIn(gitdir, 'rev-parse', 'empty')).toBe(seeded);
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });
});
