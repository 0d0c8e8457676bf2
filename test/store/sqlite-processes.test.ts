/**
 * Real concurrency on SQLite: several OS processes on one database file, as
 * replicas (or a restarted server next to a dying one) would be. In-process
 * calls on better-sqlite3 never interleave, so only this shows the locking.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openSqliteStore } from '../../src/adapters/store-sqlite/index.js';
import { at, newJob } from '../contracts/store-fixtures.js';

const run = promisify(execFile);
const worker = fileURLToPath(new URL('./sqlite-worker.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'berth-store-procs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function runWorkers(path: string, mode: string, count: number): Promise<unknown[]> {
  const outputs = await Promise.all(
    Array.from({ length: count }, (_, i) => run(process.execPath, ['--import', 'tsx', worker, path, `p${i}`, mode], { timeout: 60_000 })),
  );
  return outputs.map(({ stdout }) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'));
}

describe('SQLite store shared by several processes', () => {
  it('hands each of 600 jobs to exactly one of 4 processes', async () => {
    const path = join(root, 'claims.db');
    const store = openSqliteStore({ path });
    const jobs = Array.from({ length: 600 }, (_, i) => newJob({ createdAt: at(i % 60) }));
    for (const job of jobs) await store.jobs.enqueue(job);
    const started = performance.now();
    const results = (await runWorkers(path, 'claim', 4)).map((r) => z.object({ claimed: z.array(z.string()) }).parse(r));
    const seconds = (performance.now() - started) / 1000;
    const claimed = results.flatMap((r) => r.claimed);
    expect(claimed).toHaveLength(600);
    expect(new Set(claimed)).toEqual(new Set(jobs.map((job) => job.id)));
    expect(await store.jobs.stats(at(100))).toMatchObject({ queued: 0, running: 0 });
    console.log(
      `[store bench] 4 processes claimed+completed 600 jobs in ${seconds.toFixed(2)} s ` +
        `(incl. process start-up), split ${results.map((r) => r.claimed.length).join('/')}`,
    );
    await store.close();
  });

  it('makes exactly one admin out of 20 signups from 4 processes on an empty file', async () => {
    const path = join(root, 'signups.db');
    openSqliteStore({ path }).close();
    const results = await runWorkers(path, 'signup', 4);
    const roles = results.flatMap((r) => z.object({ roles: z.array(z.array(z.string())) }).parse(r).roles);
    expect(roles).toHaveLength(20);
    expect(roles.filter((r) => r.includes('admin'))).toHaveLength(1);
  });
});
