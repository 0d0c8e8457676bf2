import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatCommitMessage } from '../../src/domain/trailers.js';
import type { OutdatedApp } from '../../src/gitops/operations/upgrade.js';
import { createPeriodicTasks, type PeriodicTasks } from '../../src/jobs/periodic.js';
import { cleanupTask, upgradeCheckTask } from '../../src/jobs/periodic-tasks.js';
import { TEMPLATE_VERSION } from '../../src/render/index.js';
import type { Store } from '../../src/ports/store.js';
import { commitsOf, gitOut } from '../support/git-cli.js';
import { helloApp } from '../gitops/setup.js';
import { createAppRecord, createJobsFixture, users, waitFor, type JobsFixture } from './support.js';

const HOUR = 3_600_000;

describe('periodic tasks under a store lease', () => {
  let f: JobsFixture;
  let other: Store;
  const schedulers: PeriodicTasks[] = [];
  beforeEach(async () => {
    f = await createJobsFixture();
    other = f.openAnotherStore();
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop(2_000)));
    await other.close();
    await f.close();
  });

  it('runs on exactly one of two replicas, and moves to the other when the holder stops', async () => {
    const runs = { a: 0, b: 0 };
    const scheduler = (store: Store, owner: 'a' | 'b') =>
      createPeriodicTasks({
        leases: store.leases,
        owner,
        tasks: [{ name: 'tick', everyMs: 40, leaseMs: 2_000, run: async () => void (runs[owner] += 1) }],
      });
    const a = scheduler(f.store, 'a');
    const b = scheduler(other, 'b');
    schedulers.push(a, b);
    a.start();
    b.start();
    // Five ticks of the holder are five chances for the other replica, which ticks as often, to run too.
    await waitFor(async () => runs.a + runs.b >= 5, 10_000, 'five runs');
    const [holder, idle] = runs.a > 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
    expect(runs[holder]).toBeGreaterThanOrEqual(5);
    expect(runs[idle]).toBe(0);

    // A graceful stop releases the lease: the other replica takes over at its next tick, not after expiry.
    await (holder === 'a' ? a : b).stop();
    const before = runs[holder];
    await waitFor(async () => runs[idle] > 0, 1_000, 'the other replica to take over');
    // Three runs of the new holder: the stopped replica had as many ticks to run again, and must not have.
    await waitFor(async () => runs[idle] >= 3, 5_000, 'three runs of the new holder');
    expect(runs[holder]).toBe(before);
  });

  it('cleanup on two replicas: one sleep commit for the idle app, none for the active one, one audit event', async () => {
    const [alice, bob] = [users[0]!, users[1]!];
    for (const actor of [alice, bob]) {
      await f.repo.gitops.deploy(helloApp(actor.username, 'todo'), { actor, requestId: `deploy-${actor.username}` });
    }
    await createAppRecord(f.store, alice, 'todo', new Date(Date.now() - 48 * HOUR));
    await createAppRecord(f.store, bob, 'todo', new Date());
    const before = commitsOf(f.repo.gitdir).length;
    let runs = 0;
    for (const [store, owner] of [
      [f.store, 'a'],
      [other, 'b'],
    ] as const) {
      const cleanup = cleanupTask({ store, gitops: f.repo.gitops, everyMs: 50, windowMs: HOUR });
      const scheduler = createPeriodicTasks({
        leases: store.leases,
        owner,
        tasks: [
          {
            ...cleanup,
            leaseMs: 2_000,
            run: async (signal) => {
              const result = await cleanup.run(signal);
              runs++;
              return result;
            },
          },
        ],
      });
      schedulers.push(scheduler);
      scheduler.start();
    }
    await waitFor(async () => commitsOf(f.repo.gitdir).length > before, 10_000, 'the cleanup commit');
    // Later runs in the same window (on whichever replica holds the lease) must not commit again.
    const committedAt = runs;
    await waitFor(async () => runs >= committedAt + 3, 10_000, 'three more cleanup runs');

    const commits = commitsOf(f.repo.gitdir);
    expect(commits).toHaveLength(before + 1);
    expect(commits.at(-1)?.message).toContain('cleanup: sleep 1 inactive app(s)');
    expect(commits.at(-1)?.message).toContain('Berth-App: alice/todo');
    expect(commits.at(-1)?.message).toContain('Berth-Actor: system');
    expect(gitOut(f.repo.gitdir, ['show', 'main:tenants/2b/alice/todo/berth.yaml'])).toMatch(/replicas: 0/);
    expect(gitOut(f.repo.gitdir, ['show', 'main:tenants/81/bob/todo/berth.yaml'])).toMatch(/replicas: 1/);
    const audit = await f.store.audit.list({ actor: 'system' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'cleanup', outcome: 'ok', details: { sleep: ['alice/todo'], delete: [] } });
  });

  it('a dry-run cleanup lists what it would do and commits nothing', async () => {
    const alice = users[0]!;
    await f.repo.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: 'd1' });
    await createAppRecord(f.store, alice, 'todo', new Date(Date.now() - 48 * HOUR));
    const before = commitsOf(f.repo.gitdir).length;
    const task = cleanupTask({ store: f.store, gitops: f.repo.gitops, everyMs: HOUR, dryRun: true });
    const result = await task.run(new AbortController().signal);
    expect(result).toMatchObject({ plan: { sleep: [{ tenant: 'alice', app: 'todo' }], delete: [] } });
    expect(commitsOf(f.repo.gitdir)).toHaveLength(before);
  });

  it('the upgrade check reports outdated apps; auto-upgrade re-renders them in one commit per window', async () => {
    const alice = users[0]!;
    await f.repo.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: 'd1' });
    const path = 'tenants/2b/alice/todo/berth.yaml';
    await f.repo.git.apply({
      branch: 'main',
      requestId: 'downgrade',
      meta: {
        author: { name: 'test', email: 'test@example.com' },
        message: formatCommitMessage('older template', { action: 'upgrade', apps: ['alice/todo'], requestId: 'downgrade', actor: 'test' }),
      },
      plan: async (tree) => [{ path, content: (await tree.readFile(path))?.replace(`templateVersion: ${TEMPLATE_VERSION}`, 'templateVersion: 0') ?? '' }],
    });
    const before = commitsOf(f.repo.gitdir).length;
    const seen: OutdatedApp[][] = [];
    const signal = new AbortController().signal;
    const now = () => new Date('2030-01-01T10:15:00Z');

    await upgradeCheckTask({ gitops: f.repo.gitops, everyMs: HOUR, now, onOutdated: (apps) => seen.push([...apps]) }).run(signal);
    expect(seen).toEqual([[{ tenant: 'alice', app: 'todo', templateVersion: 0 }]]);
    expect(commitsOf(f.repo.gitdir)).toHaveLength(before);

    const auto = upgradeCheckTask({ gitops: f.repo.gitops, everyMs: HOUR, now, autoUpgrade: true });
    await auto.run(signal);
    await auto.run(signal);
    expect(commitsOf(f.repo.gitdir)).toHaveLength(before + 1);
    expect(commitsOf(f.repo.gitdir).at(-1)?.message).toContain('Berth-Request: upgrade-2030-01-01T10:00:00.000Z');
    expect(gitOut(f.repo.gitdir, ['show', `main:${path}`])).toContain(`templateVersion: ${TEMPLATE_VERSION}`);
  });
});
