/**
 * Measures the SQLite store where the deploy path leans on it: enqueue
 * latency (deployment + job, one fsynced transaction) and claim+complete
 * throughput of one worker. Printed for the report; the bounds only catch
 * a store that became unusably slow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store-sqlite/index.js';
import { at, newDeployment, newJob } from '../contracts/store-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'berth-store-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

describe.each(['full', 'normal'] as const)('SQLite store performance (file on disk, WAL, synchronous=%s)', (synchronous) => {
  it('enqueues a deployment with its job in a few milliseconds', async () => {
    const store = openSqliteStore({ path: join(root, `enqueue-${synchronous}.db`), synchronous });
    const latencies: number[] = [];
    for (let i = 0; i < 300; i++) {
      const deployment = newDeployment('u1', { idempotencyKey: `k${i}`, createdAt: at(i) });
      const started = performance.now();
      await store.deployments.enqueue(deployment, newJob({ createdAt: at(i) }));
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const [p50, p95] = [percentile(latencies, 50), percentile(latencies, 95)];
    console.log(`[store bench] synchronous=${synchronous} deployments.enqueue: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms (n=300)`);
    expect(p50).toBeLessThan(100);
    await store.close();
  });

  it('claims and completes jobs at a useful rate', async () => {
    const store = openSqliteStore({ path: join(root, `claims-${synchronous}.db`), synchronous });
    const count = 500;
    for (let i = 0; i < count; i++) await store.jobs.enqueue(newJob({ createdAt: at(i) }));
    const started = performance.now();
    let done = 0;
    for (;;) {
      const job = await store.jobs.claim('bench', at(count), at(count + 60));
      if (job === undefined) break;
      if (await store.jobs.complete(job.id, 'bench', at(count))) done += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`[store bench] synchronous=${synchronous} claim+complete: ${(done / seconds).toFixed(0)} jobs/s (${done} jobs in ${seconds.toFixed(2)} s)`);
    expect(done).toBe(count);
    expect(done / seconds).toBeGreaterThan(20);
    await store.close();
  });
});
