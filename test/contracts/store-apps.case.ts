/** Contract cases: apps, drafts, deployments and their timelines. */
import { expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import type { Store } from '../../src/ports/store.js';
import { at, concurrently, newApp, newDeployment, newJob } from './store-fixtures.js';
import type { StoreFixture } from './store-fixtures.js';

export function appCases(current: () => StoreFixture, peers: () => Promise<Store[]>): void {
  const store = (): Store => current().store;

  it('creates, reads and lists apps sorted by tenant then name, and refuses a duplicate', async () => {
    for (const [tenant, name] of [
      ['bob', 'zeta'],
      ['alice', 'web'],
      ['bob', 'api'],
      ['alice', 'api'],
    ] as const) {
      await store().apps.create(newApp(tenant, name, 'owner-1'));
    }
    const original = newApp('alice', 'api', 'owner-1');
    expect(await store().apps.get('alice', 'api')).toEqual(original);
    expect(await store().apps.get('alice', 'nope')).toBeUndefined();
    const names = (await store().apps.list()).map((app) => `${app.tenant}/${app.name}`);
    expect(names).toEqual(['alice/api', 'alice/web', 'bob/api', 'bob/zeta']);
    expect((await store().apps.list({ tenant: 'bob' })).map((app) => app.name)).toEqual(['api', 'zeta']);
    await expect(store().apps.create(newApp('alice', 'api', 'owner-2'))).rejects.toBeInstanceOf(ConflictError);
    expect((await store().apps.get('alice', 'api'))?.ownerId).toBe('owner-1');
  });

  it('updates the draft, counts edits, deploys and pings as activity that never moves backwards', async () => {
    await store().apps.create(newApp('alice', 'web', 'owner-1'));
    const draft = { files: { 'app/main.py': 'app = 1\n' }, entrypoint: 'app/main.py', env: {} };
    const updated = await store().apps.updateDraft('alice', 'web', draft, at(100));
    expect(updated).toMatchObject({ draft, updatedAt: at(100), lastActivityAt: at(100), createdAt: at(0) });
    expect(await store().apps.updateDraft('alice', 'missing', draft, at(100))).toBeUndefined();
    await store().apps.touch('alice', 'web', at(200));
    expect((await store().apps.get('alice', 'web'))?.lastActivityAt).toBe(at(200));
    await store().apps.touch('alice', 'web', at(150));
    expect((await store().apps.get('alice', 'web'))?.lastActivityAt).toBe(at(200));
    await store().apps.setLive('alice', 'web', 'c0ffee', at(300));
    expect(await store().apps.get('alice', 'web')).toMatchObject({
      liveCommit: 'c0ffee',
      liveAt: at(300),
      lastActivityAt: at(300),
    });
    await store().apps.remove('alice', 'web');
    expect(await store().apps.get('alice', 'web')).toBeUndefined();
    await store().apps.remove('alice', 'web');
  });

  it('enqueues a deployment together with its job', async () => {
    const job = newJob();
    const deployment = newDeployment('u1', { idempotencyKey: 'key-1' });
    const result = await store().deployments.enqueue(deployment, job);
    expect(result).toEqual({ deployment, created: true });
    expect(await store().deployments.get(deployment.id)).toEqual(deployment);
    expect(await store().jobs.get(job.id)).toEqual(job);
  });

  it('writes neither the deployment nor the job when the job cannot be written', async () => {
    const existing = newJob();
    await store().jobs.enqueue(existing);
    const deployment = newDeployment('u1');
    await expect(store().deployments.enqueue(deployment, { ...newJob(), id: existing.id })).rejects.toBeInstanceOf(ConflictError);
    expect(await store().deployments.get(deployment.id)).toBeUndefined();
    expect(await store().jobs.get(existing.id)).toEqual(existing);
  });

  it('honours an idempotency key per user, also for 10 concurrent requests', async () => {
    const first = newDeployment('u1', { idempotencyKey: 'same' });
    expect((await store().deployments.enqueue(first, newJob())).created).toBe(true);
    const again = await store().deployments.enqueue(newDeployment('u1', { idempotencyKey: 'same' }), newJob());
    expect(again).toEqual({ deployment: first, created: false });
    const otherUser = await store().deployments.enqueue(newDeployment('u2', { idempotencyKey: 'same' }), newJob());
    expect(otherUser.created).toBe(true);

    const stores = await peers();
    const jobs = Array.from({ length: 10 }, () => newJob());
    const results = await concurrently(10, (i) => stores[i % stores.length]!.deployments.enqueue(newDeployment('u3', { idempotencyKey: 'burst' }), jobs[i]!));
    const winners = results.filter((result) => result.created);
    expect(winners).toHaveLength(1);
    expect(new Set(results.map((result) => result.deployment.id)).size).toBe(1);
    const storedJobs = await Promise.all(jobs.map((job) => store().jobs.get(job.id)));
    expect(storedJobs.filter((job) => job !== undefined)).toHaveLength(1);
    expect(await store().jobs.stats(at(0))).toMatchObject({ queued: 3 });
  });

  it('advances a deployment: appends in order, sets status, commit, error and change request', async () => {
    const deployment = newDeployment('u1');
    await store().deployments.enqueue(deployment, newJob());
    const committed = await store().deployments.advance(
      deployment.id,
      { stage: 'committed', at: at(5), detail: 'abc123' },
      { status: 'committed', commit: 'abc123', changeRequest: 'pr-7' },
    );
    expect(committed).toMatchObject({ status: 'committed', commit: 'abc123', changeRequest: 'pr-7', updatedAt: at(5) });
    const failed = await store().deployments.advance(deployment.id, { stage: 'failed', at: at(6) }, { status: 'failed', error: 'rollout timed out' });
    expect(failed).toMatchObject({ status: 'failed', commit: 'abc123', error: 'rollout timed out' });
    expect(failed?.timeline.map((entry) => entry.stage)).toEqual(['queued', 'committed', 'failed']);
    expect(failed?.timeline[1]).toEqual({ stage: 'committed', at: at(5), detail: 'abc123' });
    expect(await store().deployments.advance('missing', { stage: 'x', at: at(1) }, { status: 'failed' })).toBeUndefined();
  });

  it('keeps every one of 20 concurrent timeline appends', async () => {
    const deployment = newDeployment('u1');
    await store().deployments.enqueue(deployment, newJob());
    const stores = await peers();
    await concurrently(20, (i) =>
      stores[i % stores.length]!.deployments.advance(deployment.id, { stage: `step-${i}`, at: at(i + 1) }, { status: 'committed' }),
    );
    const stages = (await store().deployments.get(deployment.id))?.timeline.map((entry) => entry.stage) ?? [];
    expect(stages).toHaveLength(21);
    expect(new Set(stages).size).toBe(21);
  });

  it("lists an app's deployments newest first, and open ones oldest first", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const deployment = newDeployment('u1', { createdAt: at(i), updatedAt: at(i) });
      ids.push(deployment.id);
      await store().deployments.enqueue(deployment, newJob());
    }
    await store().deployments.enqueue(newDeployment('u1', { app: 'other', createdAt: at(9) }), newJob());
    expect((await store().deployments.listByApp('alice', 'hello')).map((d) => d.id)).toEqual([...ids].reverse());
    expect((await store().deployments.listByApp('alice', 'hello', 2)).map((d) => d.id)).toEqual([ids[4], ids[3]]);
    await store().deployments.advance(ids[0]!, { stage: 'ready', at: at(20) }, { status: 'ready' });
    await store().deployments.advance(ids[2]!, { stage: 'failed', at: at(20) }, { status: 'failed' });
    await store().deployments.advance(ids[3]!, { stage: 'committed', at: at(20) }, { status: 'committed' });
    const open = (await store().deployments.listOpen()).map((d) => d.id);
    expect(open.slice(0, 3)).toEqual([ids[1], ids[3], ids[4]]);
    expect(open).toHaveLength(4);
    expect(await store().deployments.listOpen(1)).toHaveLength(1);
  });
}
