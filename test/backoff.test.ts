import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, equalJitterMs, fullJitterMs } from '../src/backoff.js';
import { createOutageGate } from '../src/auth/outage-gate.js';
import { retryDelayMs } from '../src/jobs/retry-policy.js';

describe('the one backoff policy', () => {
  it('doubles the ceiling per attempt up to the cap, and never overflows', () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffCeilingMs(a, 100, 1_000))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffCeilingMs(-3, 100, 1_000)).toBe(100);
    expect(backoffCeilingMs(10_000, 100, 1_000)).toBe(1_000);
  });

  it('spreads full jitter over [0, ceiling) and equal jitter over [ceiling/2, ceiling)', () => {
    expect(fullJitterMs(3, 100, 10_000, () => 0)).toBe(0);
    expect(fullJitterMs(3, 100, 10_000, () => 0.999)).toBe(799);
    expect(equalJitterMs(3, 100, 10_000, () => 0)).toBe(400);
    expect(equalJitterMs(3, 100, 10_000, () => 0.999)).toBeCloseTo(799.6, 1);
  });

  it('is what job retries and the outage gate use', () => {
    // Job attempts count from 1: the first retry waits below baseMs.
    expect(retryDelayMs(1, { baseMs: 1_000, maxMs: 60_000 }, () => 0.5)).toBe(500);
    expect(retryDelayMs(4, { baseMs: 1_000, maxMs: 60_000 }, () => 0.5)).toBe(4_000);
    let clock = 0;
    const gate = createOutageGate({ message: 'down', baseMs: 100, now: () => clock, random: () => 0 });
    gate.failed();
    gate.failed();
    expect(() => gate.check()).toThrow('down');
    clock = 99; // second failure: ceiling 200, equal jitter at random 0 → 100 ms closed
    expect(() => gate.check()).toThrow('down');
    clock = 100;
    expect(() => gate.check()).not.toThrow();
  });
});
