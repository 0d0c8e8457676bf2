/** Contract cases: the durable job queue. */
import { expect, it } from 'vitest';
import type { Store } from '../../src/ports/store.js';
import { at, concurrently, newJob } from './store-fixtures.js';
import type { StoreFixture } from './store-fixtures.js';

export function jobCases(current: () => StoreFixture, peers: () => Promise<Store[]>): void {
  const store = (): Store => current().store;

  it('claims the oldest due job, leases it and counts the attempt', async () => {
    const later = newJob({ createdAt: at(2) });
    const oldest = newJob({ createdAt: at(1) });
    const notYet = newJob({ createdAt: at(0), runAt: at(100) });
    for (const job of [later, oldest, notYet]) await store().jobs.enqueue(job);
    expect(await store().jobs.get(oldest.id)).toEqual(oldest);
    const claimed = await store().jobs.claim('w1', at(10), at(40));
    expect(claimed).toMatchObject({ id: oldest.id, state: 'running', leaseOwner: 'w1', leaseUntil: at(40), attempts: 1 });
    expect(claimed?.payload).toEqual(oldest.payload);
    expect((await store().jobs.claim('w1', at(10), at(40)))?.id).toBe(later.id);
    expect(await store().jobs.claim('w1', at(10), at(40))).toBeUndefined();
    expect((await store().jobs.claim('w1', at(100), at(140)))?.id).toBe(notYet.id);
  });

  it('claims only the kinds asked for', async () => {
    const cleanup = newJob({ kind: 'cleanup' });
    await store().jobs.enqueue(newJob({ kind: 'deploy' }));
    await store().jobs.enqueue(cleanup);
    expect((await store().jobs.claim('w1', at(1), at(30), ['cleanup', 'upgrade']))?.id).toBe(cleanup.id);
    expect(await store().jobs.claim('w1', at(1), at(30), ['cleanup'])).toBeUndefined();
    expect(await store().jobs.claim('w1', at(1), at(30), [])).toBeUndefined();
  });

  it('hands each of 20 jobs to exactly one of 30 concurrent claimers', async () => {
    const jobs = Array.from({ length: 20 }, (_, i) => newJob({ createdAt: at(i) }));
    for (const job of jobs) await store().jobs.enqueue(job);
    const stores = await peers();
    const claims = await concurrently(30, (i) => stores[i % stores.length]!.jobs.claim(`w${i}`, at(50), at(80)));
    const won = claims.filter((job) => job !== undefined);
    expect(won).toHaveLength(20);
    expect(new Set(won.map((job) => job.id)).size).toBe(20);
    for (const job of won) expect((await store().jobs.get(job.id))?.leaseOwner).toBe(job.leaseOwner);
  });

  it('reclaims a job whose lease expired, but not one whose lease is live', async () => {
    const job = newJob();
    await store().jobs.enqueue(job);
    await store().jobs.claim('dead-worker', at(0), at(30));
    expect(await store().jobs.claim('w2', at(29), at(60))).toBeUndefined();
    const reclaimed = await store().jobs.claim('w2', at(30), at(60));
    expect(reclaimed).toMatchObject({ id: job.id, leaseOwner: 'w2', attempts: 2 });
    expect(await store().jobs.heartbeat(job.id, 'dead-worker', at(90))).toBe(false);
    expect(await store().jobs.complete(job.id, 'dead-worker', at(31))).toBe(false);
    expect(await store().jobs.heartbeat(job.id, 'w2', at(90))).toBe(true);
    expect(await store().jobs.claim('w3', at(70), at(100))).toBeUndefined();
    expect(await store().jobs.complete(job.id, 'w2', at(71))).toBe(true);
    expect(await store().jobs.get(job.id)).toMatchObject({ state: 'done', updatedAt: at(71) });
    expect(await store().jobs.claim('w3', at(500), at(530))).toBeUndefined();
  });

  it('retries a transient failure at retryAt and ends a permanent one as failed', async () => {
    const job = newJob();
    await store().jobs.enqueue(job);
    await store().jobs.claim('w1', at(0), at(30));
    expect(await store().jobs.fail(job.id, 'other', 'nope', at(1), at(10))).toBe(false);
    expect(await store().jobs.fail(job.id, 'w1', 'git unavailable', at(1), at(10))).toBe(true);
    expect(await store().jobs.get(job.id)).toMatchObject({ state: 'queued', runAt: at(10), lastError: 'git unavailable' });
    expect(await store().jobs.claim('w1', at(9), at(40))).toBeUndefined();
    expect(await store().jobs.claim('w1', at(10), at(40))).toMatchObject({ id: job.id, attempts: 2 });
    expect(await store().jobs.fail(job.id, 'w1', 'entrypoint missing', at(11))).toBe(true);
    expect(await store().jobs.get(job.id)).toMatchObject({ state: 'failed', lastError: 'entrypoint missing' });
    expect(await store().jobs.claim('w1', at(1000), at(1030))).toBeUndefined();
    expect(await store().jobs.get('missing')).toBeUndefined();
  });

  it("releases all of one owner's leases so the jobs are claimable at once", async () => {
    const jobs = [newJob({ createdAt: at(0) }), newJob({ createdAt: at(1) }), newJob({ createdAt: at(2) })];
    for (const job of jobs) await store().jobs.enqueue(job);
    await store().jobs.claim('leaving', at(0), at(300));
    await store().jobs.claim('leaving', at(0), at(300));
    await store().jobs.claim('staying', at(0), at(300));
    expect(await store().jobs.releaseAll('leaving', at(5))).toBe(2);
    expect(await store().jobs.releaseAll('leaving', at(5))).toBe(0);
    const next = await store().jobs.claim('new', at(6), at(36));
    expect(next?.id).toBe(jobs[0]!.id);
    expect((await store().jobs.claim('new', at(6), at(36)))?.id).toBe(jobs[1]!.id);
    expect(await store().jobs.claim('new', at(6), at(36))).toBeUndefined();
  });

  it('reports queue depth, running jobs and the age of the oldest queued job', async () => {
    expect(await store().jobs.stats(at(0))).toEqual({ queued: 0, running: 0, oldestQueuedSeconds: 0 });
    await store().jobs.enqueue(newJob({ createdAt: at(10) }));
    await store().jobs.enqueue(newJob({ createdAt: at(20) }));
    await store().jobs.enqueue(newJob({ createdAt: at(30) }));
    await store().jobs.claim('w1', at(40), at(70));
    expect(await store().jobs.stats(at(50))).toEqual({ queued: 2, running: 1, oldestQueuedSeconds: 30 });
  });
}
