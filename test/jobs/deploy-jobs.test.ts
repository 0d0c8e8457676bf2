import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appDir } from '../../src/domain/layout.js';
import { GitUnavailableError } from '../../src/errors.js';
import type { GitOps } from '../../src/gitops/gitops.js';
import { createDeployHandler } from '../../src/jobs/deploy-job.js';
import { enqueueDeployment } from '../../src/jobs/requests.js';
import { createJobRunner, type JobRunner } from '../../src/jobs/runner.js';
import type { Store } from '../../src/ports/store.js';
import type { Deployment } from '../../src/store/types.js';
import { commitsOf, fsckStrict, gitOut } from '../support/git-cli.js';
import { helloApp } from '../gitops/setup.js';
import { commitsForRequest, createAppRecord, createJobsFixture, deployRequest, users, waitFor, type JobsFixture } from './support.js';

type DeployGitOps = Pick<GitOps, 'deploy' | 'rollback' | 'delete'>;

function runnerFor(store: Store, gitops: DeployGitOps, owner: string, extra: Partial<Parameters<typeof createJobRunner>[0]> = {}): JobRunner {
  const handler = createDeployHandler({ store, gitops });
  return createJobRunner({
    jobs: store.jobs,
    handlers: { deploy: handler, rollback: handler, delete: handler },
    owner,
    pollMs: 50,
    leaseMs: 5_000,
    backoff: { baseMs: 50, maxMs: 500 },
    ...extra,
  });
}

async function settled(store: Store, id: string): Promise<Deployment> {
  return waitFor(
    async () => {
      const deployment = await store.deployments.get(id);
      return deployment && deployment.status !== 'queued' ? deployment : undefined;
    },
    30_000,
    `deployment ${id} to settle`,
  );
}

const stages = (deployment: Deployment) => deployment.timeline.map((entry) => entry.stage);

describe('deploys as durable jobs', () => {
  let f: JobsFixture;
  const runners: JobRunner[] = [];
  beforeEach(async () => {
    f = await createJobsFixture();
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop(2_000)));
    await f.close();
  });

  it('20 concurrent deploy requests from 4 users, worked by two replicas, each end as exactly one commit', async () => {
    const other = f.openAnotherStore();
    try {
      runners.push(runnerFor(f.store, f.repo.gitops, 'replica-a'), runnerFor(other, f.repo.gitops, 'replica-b'));
      await Promise.all(runners.map((runner) => runner.start()));
      const requests = Array.from({ length: 20 }, (_, i) => ({ actor: users[i % 4]!, app: `app-${Math.floor(i / 4)}` }));
      for (const { actor, app } of requests) await createAppRecord(f.store, actor, app);
      const accepted = await Promise.all(
        requests.map(({ actor, app }, i) =>
          enqueueDeployment(f.store, { request: deployRequest(actor, app, `v${i}`), idempotencyKey: `key-${i}`, now: new Date() }),
        ),
      );
      // The same requests again (a client retrying after a timeout): nothing new is queued.
      const again = await Promise.all(
        requests.map(({ actor, app }, i) =>
          enqueueDeployment(f.store, { request: deployRequest(actor, app, `v${i}`), idempotencyKey: `key-${i}`, now: new Date() }),
        ),
      );
      expect(again.every((result, i) => !result.created && result.deployment.id === accepted[i]!.deployment.id)).toBe(true);
      runners.forEach((runner) => runner.kick());

      for (const { deployment } of accepted) {
        const done = await settled(f.store, deployment.id);
        expect(done.status).toBe('committed');
        expect(stages(done)).toEqual(['validated', 'queued', 'committing', 'committed']);
        expect(commitsForRequest(f.repo.gitdir, deployment.id)).toEqual([done.commit]);
        const app = await f.store.apps.get(done.tenant, done.app);
        expect(app?.liveCommit).toBe(done.commit);
        expect((await f.store.jobs.get(deployment.id))?.state).toBe('done');
      }
      expect(commitsOf(f.repo.gitdir)).toHaveLength(21);
      const files = gitOut(f.repo.gitdir, ['ls-tree', '-r', '--name-only', 'main']);
      for (const { actor, app } of requests) expect(files).toContain(`${appDir({ tenant: actor.username, app })}/code/main.py`);
      fsckStrict(f.repo.gitdir);
    } finally {
      await Promise.all(runners.splice(0).map((runner) => runner.stop(2_000)));
      await other.close();
    }
  });

  it('a transient failure twice, then success: one commit, attempts = 3, retries backed off', async () => {
    const calls: number[] = [];
    const flaky: DeployGitOps = {
      ...f.repo.gitops,
      async deploy(input, call) {
        calls.push(Date.now());
        if (calls.length === 1) {
          // The commit lands but the answer is lost, as when a push succeeds and the connection drops.
          await f.repo.gitops.deploy(input, call);
          throw new GitUnavailableError('the apps remote stopped answering');
        }
        if (calls.length === 2) {
          // Meanwhile the user deploys again: a retry that committed anew would put the old version back.
          await f.repo.gitops.deploy(helloApp('alice', 'todo', 'newer'), { actor: users[0]!, requestId: 'newer-deploy' });
          throw new GitUnavailableError('the apps remote is unavailable');
        }
        return f.repo.gitops.deploy(input, call);
      },
    };
    const alice = users[0]!;
    await createAppRecord(f.store, alice, 'todo');
    // random() = 0.999: the full-jitter delay is (almost) its ceiling, 50 ms then 100 ms.
    const runner = runnerFor(f.store, flaky, 'w1', { random: () => 0.999 });
    runners.push(runner);
    await runner.start();
    const { deployment } = await enqueueDeployment(f.store, { request: deployRequest(alice, 'todo'), now: new Date() });
    runner.kick();

    const done = await settled(f.store, deployment.id);
    expect(done.status).toBe('committed');
    expect(stages(done)).toEqual(['validated', 'queued', 'committing', 'retrying', 'committing', 'retrying', 'committing', 'committed']);
    expect(done.timeline[3]?.detail).toContain('the apps remote stopped answering');
    expect(done.timeline.at(-1)?.detail).toBe('found the commit of an earlier attempt');
    expect(commitsForRequest(f.repo.gitdir, deployment.id)).toEqual([done.commit]);
    expect(commitsOf(f.repo.gitdir)).toHaveLength(3);
    expect(gitOut(f.repo.gitdir, ['show', 'main:tenants/2b/alice/todo/code/main.py'])).toContain('newer');
    const job = await waitFor(async () => {
      const current = await f.store.jobs.get(deployment.id);
      return current?.state === 'done' ? current : undefined;
    });
    expect(job.attempts).toBe(3);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(45);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(95);
  });

  it('transient failures past maxAttempts end as failed, saying how often it was tried', async () => {
    const down: DeployGitOps = {
      ...f.repo.gitops,
      deploy: async () => {
        throw new GitUnavailableError('the apps remote is unavailable');
      },
    };
    const alice = users[0]!;
    await createAppRecord(f.store, alice, 'todo');
    const runner = runnerFor(f.store, down, 'w1', { maxAttempts: 3, backoff: { baseMs: 10, maxMs: 20 } });
    runners.push(runner);
    await runner.start();
    const { deployment } = await enqueueDeployment(f.store, { request: deployRequest(alice, 'todo'), now: new Date() });
    const done = await settled(f.store, deployment.id);
    expect(done.status).toBe('failed');
    expect(done.error).toBe('gave up after 3 attempts: the apps remote is unavailable');
    const job = await waitFor(async () => ((await f.store.jobs.get(deployment.id))?.state === 'failed' ? f.store.jobs.get(deployment.id) : undefined));
    expect(job?.attempts).toBe(3);
    expect(commitsOf(f.repo.gitdir)).toHaveLength(1);
  });

  it('a deploy based on an outdated commit fails once, with a message that says what to do, and commits nothing', async () => {
    const alice = users[0]!;
    await createAppRecord(f.store, alice, 'todo');
    const runner = runnerFor(f.store, f.repo.gitops, 'w1');
    runners.push(runner);
    await runner.start();
    const first = await enqueueDeployment(f.store, { request: deployRequest(alice, 'todo', 'v1'), now: new Date() });
    const base = (await settled(f.store, first.deployment.id)).commit;
    // Someone else changes the app after this user loaded it.
    const second = await enqueueDeployment(f.store, { request: deployRequest(alice, 'todo', 'v2'), now: new Date() });
    await settled(f.store, second.deployment.id);
    const stale = await enqueueDeployment(f.store, { request: deployRequest(alice, 'todo', 'mine', { base: base! }), now: new Date() });

    const done = await settled(f.store, stale.deployment.id);
    expect(done.status).toBe('failed');
    expect(done.error).toBe('deploy conflicts with a newer change to alice/todo: reload and deploy again');
    expect(stages(done)).toEqual(['validated', 'queued', 'committing', 'failed']);
    const job = await f.store.jobs.get(stale.deployment.id);
    expect(job).toMatchObject({ attempts: 1, lastError: done.error });
    expect(commitsForRequest(f.repo.gitdir, stale.deployment.id)).toEqual([]);
    expect(gitOut(f.repo.gitdir, ['show', 'main:tenants/2b/alice/todo/code/main.py'])).toContain('v2');
  });

  it('an invalid deploy (entrypoint not among the files) fails with the GitOps core message', async () => {
    const bob = users[1]!;
    await createAppRecord(f.store, bob, 'api');
    const runner = runnerFor(f.store, f.repo.gitops, 'w1');
    runners.push(runner);
    await runner.start();
    const { deployment } = await enqueueDeployment(f.store, { request: deployRequest(bob, 'api', 'hi', { entrypoint: 'app.py' }), now: new Date() });
    const done = await settled(f.store, deployment.id);
    expect(done.status).toBe('failed');
    expect(done.error).toBe('entrypoint "app.py" is not one of the app\'s files');
    expect(commitsOf(f.repo.gitdir)).toHaveLength(1);
  });

  it('rollback and delete jobs commit once each and keep the app record in step', async () => {
    const carol = users[2]!;
    await createAppRecord(f.store, carol, 'site');
    const runner = runnerFor(f.store, f.repo.gitops, 'w1');
    runners.push(runner);
    await runner.start();
    const v1 = await settled(f.store, (await enqueueDeployment(f.store, { request: deployRequest(carol, 'site', 'v1'), now: new Date() })).deployment.id);
    await settled(f.store, (await enqueueDeployment(f.store, { request: deployRequest(carol, 'site', 'v2'), now: new Date() })).deployment.id);
    const rollback = await enqueueDeployment(f.store, {
      request: { kind: 'rollback', tenant: 'carol', app: 'site', actor: carol, to: v1.commit! },
      now: new Date(),
    });
    const rolled = await settled(f.store, rollback.deployment.id);
    expect(rolled.status).toBe('committed');
    expect(gitOut(f.repo.gitdir, ['show', 'main:tenants/4c/carol/site/code/main.py'])).toContain('v1');
    expect((await f.store.apps.get('carol', 'site'))?.liveCommit).toBe(rolled.commit);

    const removal = await enqueueDeployment(f.store, { request: { kind: 'delete', tenant: 'carol', app: 'site', actor: carol }, now: new Date() });
    const removed = await settled(f.store, removal.deployment.id);
    expect(removed.status).toBe('committed');
    expect(commitsForRequest(f.repo.gitdir, removal.deployment.id)).toEqual([removed.commit]);
    expect(gitOut(f.repo.gitdir, ['ls-tree', '-r', '--name-only', 'main'])).not.toContain('tenants/4c/carol/site/');
    expect(await f.store.apps.get('carol', 'site')).toBeUndefined();
  });
});
