import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store-sqlite/index.js';
import { UnavailableError } from '../../src/errors.js';
import { readNodeId } from '../../src/jobs/node-id.js';
import { markTransient } from '../../src/jobs/retry-policy.js';
import { createJobRunner, type JobHandler, type JobMetrics, type JobRunner, type JobRunnerOptions } from '../../src/jobs/runner.js';
import type { Store } from '../../src/ports/store.js';
import type { Job } from '../../src/store/types.js';
import { waitFor } from './support.js';

function newJob(id: string, at = new Date()): Job {
  const iso = at.toISOString();
  return { id, kind: 'work', payload: { id }, state: 'queued', attempts: 0, runAt: iso, createdAt: iso, updatedAt: iso };
}

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

/** The store's job methods bound to it, so a test can replace one and keep the rest. */
function bound(jobs: JobRunnerOptions['jobs']): JobRunnerOptions['jobs'] {
  const proto = Object.getPrototypeOf(jobs) as object;
  const names = [...new Set([...Object.keys(jobs), ...Object.getOwnPropertyNames(proto)])].filter((k) => k !== 'constructor');
  return Object.fromEntries(
    names.map((k) => {
      const value = (jobs as unknown as Record<string, unknown>)[k];
      return [k, typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(jobs) : value];
    }),
  ) as unknown as JobRunnerOptions['jobs'];
}

/** A handler that records who ran what, and can be told to take its time. */
function recordingHandler(delayMs = 0) {
  const runs: Array<{ id: string; attempt: number }> = [];
  const handler: JobHandler = {
    async run(_payload, { job, signal }) {
      runs.push({ id: job.id, attempt: job.attempts });
      if (delayMs > 0) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, delayMs);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
        });
      }
    },
  };
  return { runs, handler };
}

describe('job runner on SQLite', () => {
  let dir: string;
  let store: Store;
  const runners: JobRunner[] = [];
  const start = async (options: Omit<JobRunnerOptions, 'jobs'> & { jobs?: JobRunnerOptions['jobs'] }) => {
    const runner = createJobRunner({ jobs: store.jobs, pollMs: 20, ...options });
    runners.push(runner);
    await runner.start();
    return runner;
  };
  const stateOf = async (id: string) => (await store.jobs.get(id))?.state;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-runner-'));
    store = openSqliteStore({ path: join(dir, 'berth.db') });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop(1_000)));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reclaims a job whose worker died once its lease expires', async () => {
    // The runner's clock is the test's: the lease expires when the test says so, not after a wait.
    let clock = Date.now();
    const now = () => new Date(clock);
    await store.jobs.enqueue(newJob('j1', now()));
    // A worker claims the job and dies: it never heartbeats nor completes.
    const claimed = await store.jobs.claim('dead-worker', now().toISOString(), new Date(clock + 400).toISOString());
    expect(claimed?.id).toBe('j1');
    let polls = 0;
    const jobs: JobRunnerOptions['jobs'] = { ...bound(store.jobs), claim: (...args) => (polls++, store.jobs.claim(...args)) };
    const { runs, handler } = recordingHandler();
    await start({ handlers: { work: handler }, owner: 'survivor', jobs, now });
    // Several polls while the dead worker's lease is live: none may take the job.
    await waitFor(async () => polls >= 3, 5_000, 'three polls');
    expect(runs).toEqual([]);
    expect(await stateOf('j1')).toBe('running');
    clock += 500;
    await waitFor(async () => (await stateOf('j1')) === 'done', 5_000, 'j1 done');
    expect(runs).toEqual([{ id: 'j1', attempt: 2 }]);
  });

  it("at start-up, a node with a stable id takes back its own leased jobs at once, not other nodes'", async () => {
    const nodeId = readNodeId(dir);
    expect(readNodeId(dir)).toBe(nodeId);
    await store.jobs.enqueue(newJob('mine'));
    await store.jobs.enqueue(newJob('theirs', new Date(Date.now() + 1)));
    // The previous run of this node (killed) and a live other node each hold a lease for an hour.
    expect((await store.jobs.claim(nodeId, new Date().toISOString(), inMs(3_600_000)))?.id).toBe('mine');
    // 'theirs' becomes runnable 1 ms after it was queued: claim it as of a moment later, never the same millisecond.
    expect((await store.jobs.claim('other-node', inMs(50), inMs(3_600_000)))?.id).toBe('theirs');
    const { runs, handler } = recordingHandler();
    await start({ handlers: { work: handler }, owner: nodeId, releaseOwnLeasesOnStart: true });
    await waitFor(async () => (await stateOf('mine')) === 'done', 2_000, 'mine done');
    expect(runs.map((run) => run.id)).toEqual(['mine']);
    expect(await stateOf('theirs')).toBe('running');
  });

  it('heartbeats keep a long job with its worker: a second runner never takes it over', async () => {
    await store.jobs.enqueue(newJob('long'));
    const slow = recordingHandler(900);
    await start({ handlers: { work: slow.handler }, owner: 'a', leaseMs: 300 });
    await waitFor(async () => (await stateOf('long')) === 'running', 2_000, 'long claimed');
    const other = recordingHandler();
    await start({ handlers: { work: other.handler }, owner: 'b', leaseMs: 300 });
    await waitFor(async () => (await stateOf('long')) === 'done', 5_000, 'long done');
    expect(slow.runs).toEqual([{ id: 'long', attempt: 1 }]);
    expect(other.runs).toEqual([]);
  });

  it('stop() drains: it stops claiming, lets the running job finish, and leaves queued work for others', async () => {
    await store.jobs.enqueue(newJob('first'));
    const { runs, handler } = recordingHandler(300);
    const runner = await start({ handlers: { work: handler }, owner: 'a', concurrency: 1 });
    await waitFor(async () => (await stateOf('first')) === 'running', 2_000, 'first claimed');
    await store.jobs.enqueue(newJob('second'));
    await runner.stop(5_000);
    expect(await stateOf('first')).toBe('done');
    expect(await store.jobs.get('second')).toMatchObject({ state: 'queued', attempts: 0 });
    expect(runs.map((run) => run.id)).toEqual(['first']);
  });

  it('stop() past its deadline releases the lease, so another replica takes the job at once', async () => {
    await store.jobs.enqueue(newJob('stuck'));
    const hung = recordingHandler(60_000);
    const runner = await start({ handlers: { work: hung.handler }, owner: 'a', leaseMs: 3_600_000 });
    await waitFor(async () => (await stateOf('stuck')) === 'running', 2_000, 'stuck claimed');
    const stopping = Date.now();
    await runner.stop(100);
    expect(Date.now() - stopping).toBeLessThan(2_000);
    expect(await store.jobs.get('stuck')).toMatchObject({ state: 'queued' });
    const other = recordingHandler();
    await start({ handlers: { work: other.handler }, owner: 'b' });
    await waitFor(async () => (await stateOf('stuck')) === 'done', 2_000, 'stuck done by b');
    expect(other.runs).toEqual([{ id: 'stuck', attempt: 2 }]);
  });

  it('a job whose workers keep dying is failed after maxAttempts instead of crash-looping', async () => {
    await store.jobs.enqueue(newJob('poison'));
    for (let i = 0; i < 3; i++) await store.jobs.claim(`dead-${i}`, new Date().toISOString(), new Date().toISOString());
    const { runs, handler } = recordingHandler();
    await start({ handlers: { work: handler }, owner: 'a', maxAttempts: 3 });
    await waitFor(async () => (await stateOf('poison')) === 'failed', 2_000, 'poison failed');
    expect(runs).toEqual([]);
    expect((await store.jobs.get('poison'))?.lastError).toBe('gave up after 3 attempts: the worker stopped before finishing');
  });

  it('an unexpected error fails the job at once with a message that says it is a bug, and reports metrics', async () => {
    await store.jobs.enqueue(newJob('bug'));
    const metrics: JobMetrics[] = [];
    const failed: string[] = [];
    const handler: JobHandler = {
      run: async () => {
        throw new TypeError('cannot read properties of undefined');
      },
      failed: async (_job, message) => void failed.push(message),
    };
    await start({ handlers: { work: handler }, owner: 'a', onMetrics: (m) => metrics.push(m) });
    await waitFor(async () => (await stateOf('bug')) === 'failed', 2_000, 'bug failed');
    const message = 'internal error (cannot read properties of undefined); this is a bug in Berth, not in your app: tell an operator';
    expect(failed).toEqual([message]);
    expect(await store.jobs.get('bug')).toMatchObject({ attempts: 1, lastError: message });
    expect(metrics).toMatchObject([{ kind: 'work', outcome: 'failed', attempt: 1 }]);
  });

  it('errors marked transient and UnavailableError are retried with backoff, then the job succeeds', async () => {
    await store.jobs.enqueue(newJob('flaky'));
    const failures = [markTransient(new Error('socket hang up')), new UnavailableError('the database timed out')];
    const retries: string[] = [];
    const handler: JobHandler = {
      run: async () => {
        const next = failures.shift();
        if (next) throw next;
      },
      retrying: async (_job, message, retryAt) => {
        retries.push(message);
        expect(Date.parse(retryAt)).toBeGreaterThan(Date.now());
      },
    };
    await start({ handlers: { work: handler }, owner: 'a', backoff: { baseMs: 20, maxMs: 40 }, random: () => 0.999 });
    await waitFor(async () => (await stateOf('flaky')) === 'done', 5_000, 'flaky done');
    expect(retries).toEqual(['socket hang up', 'the database timed out']);
    expect((await store.jobs.get('flaky'))?.attempts).toBe(3);
  });

  it('idle() resolves once the queue is empty, and kick() starts a new job before the next poll', async () => {
    const { runs, handler } = recordingHandler();
    const runner = await start({ handlers: { work: handler }, owner: 'a', pollMs: 60_000 });
    await runner.idle();
    await store.jobs.enqueue(newJob('k'));
    runner.kick();
    await waitFor(async () => (await stateOf('k')) === 'done', 2_000, 'k done');
    await runner.idle();
    expect(runs.map((run) => run.id)).toEqual(['k']);
  });
});
