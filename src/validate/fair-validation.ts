import { RateLimitError } from '../errors.js';

/**
 * The scheduling policy of code validation, without any I/O: which waiting
 * call a free validator takes next. One user's burst (the editor validates
 * on every pause in typing) must not delay anyone else's deploy, so:
 *
 * - each user has at most `perUserConcurrency` calls running, whatever the
 *   number of free validators; the pool is sized above that, so a validator
 *   is always left for the others;
 * - deploys go first, then users take turns (round robin), oldest call first;
 * - waiting calls are bounded per user and in total: past either bound the
 *   caller gets RateLimitError (429 with Retry-After) instead of a queue
 *   that grows without end.
 */

/** Why the code is validated: a deploy waits for the verdict, an edit only shows it. */
export type ValidationPurpose = 'deploy' | 'edit';

/** Who asks, for fairness; `user` is the user id (or any stable key). */
export interface ValidationCaller {
  readonly user: string;
  readonly purpose: ValidationPurpose;
}

export interface FairQueueLimits {
  /** Calls of one user running at once. */
  readonly perUserConcurrency: number;
  /** Calls of one user waiting at once. */
  readonly perUserQueued: number;
  /** Calls waiting at once, all users together. */
  readonly totalQueued: number;
}

interface Waiting<T> {
  readonly caller: ValidationCaller;
  readonly item: T;
}

/** Limits for a pool of `workers` validators. */
export function fairLimits(workers: number): FairQueueLimits {
  return {
    perUserConcurrency: Math.max(1, Math.floor(workers / 2)),
    perUserQueued: 8,
    totalQueued: Math.max(32, workers * 16),
  };
}

export class FairQueue<T> {
  private readonly waiting = new Map<string, Waiting<T>[]>();
  private readonly running = new Map<string, number>();
  /** Users in turn order; the next turn starts after `cursor`. */
  private readonly turns: string[] = [];
  private cursor = 0;
  private total = 0;

  constructor(private readonly limits: FairQueueLimits) {}

  /** Queues a call; throws RateLimitError when the user's or the overall bound is reached. */
  push(caller: ValidationCaller, item: T): void {
    const mine = this.waiting.get(caller.user) ?? [];
    if (mine.length >= this.limits.perUserQueued) {
      throw new RateLimitError(1, `too many validations waiting for this user (at most ${this.limits.perUserQueued}); try again shortly`);
    }
    if (this.total >= this.limits.totalQueued) {
      throw new RateLimitError(2, 'the code validators are busy; try again shortly');
    }
    // A deploy goes before the same user's edits; edits keep their order.
    const at = caller.purpose === 'deploy' ? mine.findIndex((w) => w.caller.purpose !== 'deploy') : -1;
    if (at >= 0) mine.splice(at, 0, { caller, item });
    else mine.push({ caller, item });
    if (!this.waiting.has(caller.user)) {
      this.waiting.set(caller.user, mine);
      this.turns.push(caller.user);
    }
    this.total += 1;
  }

  /** The call a free validator should run now, or undefined (nothing waiting, or every waiting user at its limit). */
  take(): Waiting<T> | undefined {
    const chosen = this.pick('deploy') ?? this.pick('edit');
    if (!chosen) return undefined;
    const mine = this.waiting.get(chosen) ?? [];
    const next = mine.shift();
    if (!next) return undefined;
    this.total -= 1;
    if (mine.length === 0) {
      this.waiting.delete(chosen);
      const index = this.turns.indexOf(chosen);
      this.turns.splice(index, 1);
      if (index < this.cursor) this.cursor -= 1;
    } else {
      this.cursor = this.turns.indexOf(chosen) + 1;
    }
    this.running.set(chosen, (this.running.get(chosen) ?? 0) + 1);
    return next;
  }

  /** A call of `user` finished (settled either way). */
  finish(user: string): void {
    const count = (this.running.get(user) ?? 1) - 1;
    if (count <= 0) this.running.delete(user);
    else this.running.set(user, count);
  }

  /** Every waiting call, removed (for shutdown). */
  drain(): T[] {
    const all = [...this.waiting.values()].flat().map((w) => w.item);
    this.waiting.clear();
    this.turns.length = 0;
    this.cursor = 0;
    this.total = 0;
    return all;
  }

  get size(): number {
    return this.total;
  }

  private pick(purpose: ValidationPurpose): string | undefined {
    const count = this.turns.length;
    for (let step = 0; step < count; step += 1) {
      const user = this.turns[(this.cursor + step) % count];
      if (user === undefined || (this.running.get(user) ?? 0) >= this.limits.perUserConcurrency) continue;
      const head = this.waiting.get(user)?.[0];
      if (head && (purpose === 'edit' || head.caller.purpose === 'deploy')) return user;
    }
    return undefined;
  }
}
