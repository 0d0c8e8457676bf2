import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largeApp, typicalApp } from '../../bench/validation-fairness.js';
import { RateLimitError, type CodeProblem } from '../../src/errors.js';
import { createValidatorPool, verdictKey, type ValidatorPool } from '../../src/adapters/pyodide/validator-pool.js';

/*
 * The real pool: two Pyodide workers behind the fair queue. One user's burst
 * of large validations must not hold another user's deploy; what waits is
 * bounded; a verdict is computed once per content.
 */

let pool: ValidatorPool;
beforeAll(async () => {
  pool = createValidatorPool({ timeoutMs: 60_000, size: 2, limits: { perUserConcurrency: 1, perUserQueued: 6, totalQueued: 32 } });
  await pool.ready;
}, 60_000);
afterAll(async () => pool?.close());

const mallory = { user: 'u-mallory', purpose: 'edit' } as const;
const alice = { user: 'u-alice', purpose: 'deploy' } as const;

describe('validator pool', () => {
  it("runs a deploy's validation while another user's burst is still waiting, and bounds the burst", async () => {
    let finished = 0;
    const burst: Promise<unknown>[] = [];
    for (let i = 0; i < 7; i += 1) {
      burst.push(pool.validate(largeApp(480, `burst-${i}`), 'main.py', undefined, mallory).then(() => (finished += 1)));
    }
    // One runs, six wait: the eighth is refused instead of queued.
    await expect(pool.validate(largeApp(480, 'burst-x'), 'main.py', undefined, mallory)).rejects.toBeInstanceOf(RateLimitError);
    expect(pool.stats()).toMatchObject({ workers: 2, queued: 6 });

    const verdict = await pool.validate(typicalApp('alice-1'), 'main.py', undefined, alice);
    expect(verdict).toEqual([]);
    // Alice did not wait for the burst: most of it is still to run.
    expect(finished).toBeLessThanOrEqual(2);
    await Promise.all(burst);
    expect(finished).toBe(7);
  }, 120_000);

  it('answers the same content from the cache, without queueing it', async () => {
    const files = { 'main.py': 'import os\nfrom fastapi import FastAPI\napp = FastAPI()\n' };
    const first = await pool.validate(files, 'main.py', undefined, alice);
    expect(first.map((p: CodeProblem) => p.rule)).toEqual(['import']);
    const slow = pool.validate(largeApp(480, 'busy-again'), 'main.py', undefined, mallory);
    const again = await pool.validate({ ...files }, 'main.py', undefined, { user: 'u-bob', purpose: 'edit' });
    expect(again).toEqual(first);
    expect(pool.stats().cached).toBeGreaterThanOrEqual(2);
    await slow;
  }, 60_000);

  it('keys verdicts by content, entrypoint and allow-list', () => {
    const files = { 'main.py': 'x = 1\n', 'b.py': 'y = 2\n' };
    expect(verdictKey(files, 'main.py', undefined)).toBe(verdictKey({ 'b.py': 'y = 2\n', 'main.py': 'x = 1\n' }, 'main.py', undefined));
    expect(verdictKey(files, 'main.py', undefined)).not.toBe(verdictKey(files, 'b.py', undefined));
    expect(verdictKey(files, 'main.py', undefined)).not.toBe(verdictKey(files, 'main.py', ['fastapi']));
    expect(verdictKey(files, 'main.py', undefined)).not.toBe(verdictKey({ ...files, 'main.py': 'x = 2\n' }, 'main.py', undefined));
  });
});
