import { describe, expect, it } from 'vitest';
import { RateLimitError } from '../../src/errors.js';
import { FairQueue, fairLimits, type ValidationCaller } from '../../src/validate/fair-validation.js';

const edit = (user: string): ValidationCaller => ({ user, purpose: 'edit' });
const deploy = (user: string): ValidationCaller => ({ user, purpose: 'deploy' });
const limits = { perUserConcurrency: 1, perUserQueued: 20, totalQueued: 100 };

/** Takes (and finishes) everything, returning the order the items ran in. */
function drainInOrder(queue: FairQueue<string>): string[] {
  const order: string[] = [];
  for (let next = queue.take(); next; next = queue.take()) {
    order.push(next.item);
    queue.finish(next.caller.user);
  }
  return order;
}

describe('FairQueue', () => {
  it("serves users in turn: a burst does not push another user's call to the back", () => {
    const queue = new FairQueue<string>(limits);
    for (let i = 0; i < 10; i += 1) queue.push(edit('mallory'), `m${i}`);
    queue.push(edit('alice'), 'a0');
    expect(drainInOrder(queue).slice(0, 3)).toEqual(['m0', 'a0', 'm1']);
  });

  it('runs deploys before edits, and a user never holds more workers than its share', () => {
    const queue = new FairQueue<string>(limits);
    for (let i = 0; i < 5; i += 1) queue.push(edit('mallory'), `m${i}`);
    const first = queue.take();
    expect(first?.item).toBe('m0');
    // mallory is at its limit: another free worker gets nothing of hers...
    expect(queue.take()).toBeUndefined();
    // ...and takes alice's deploy as soon as it arrives, ahead of bob's earlier edit.
    queue.push(edit('bob'), 'b0');
    queue.push(deploy('alice'), 'a-deploy');
    expect(queue.take()?.item).toBe('a-deploy');
    expect(queue.take()?.item).toBe('b0');
    queue.finish('mallory');
    expect(queue.take()?.item).toBe('m1');
  });

  it("puts a user's deploy before its own waiting edits", () => {
    const queue = new FairQueue<string>(limits);
    queue.push(edit('alice'), 'e1');
    queue.push(edit('alice'), 'e2');
    queue.push(deploy('alice'), 'd');
    expect(drainInOrder(queue)).toEqual(['d', 'e1', 'e2']);
  });

  it('bounds what waits, per user and in total, with a Retry-After', () => {
    const queue = new FairQueue<string>({ perUserConcurrency: 1, perUserQueued: 2, totalQueued: 3 });
    queue.push(edit('mallory'), 'm0');
    queue.push(edit('mallory'), 'm1');
    expect(() => queue.push(edit('mallory'), 'm2')).toThrow(RateLimitError);
    queue.push(edit('alice'), 'a0');
    const full = (() => {
      try {
        queue.push(edit('bob'), 'b0');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(full).toBeInstanceOf(RateLimitError);
    expect((full as RateLimitError).retryAfterSeconds).toBeGreaterThan(0);
    expect(queue.size).toBe(3);
    expect(queue.drain().sort()).toEqual(['a0', 'm0', 'm1']);
    expect(queue.size).toBe(0);
  });

  it('gives a user half of the pool at most', () => {
    expect(fairLimits(1).perUserConcurrency).toBe(1);
    expect(fairLimits(2).perUserConcurrency).toBe(1);
    expect(fairLimits(4).perUserConcurrency).toBe(2);
  });
});
