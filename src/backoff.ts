import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return delay(ms).then(() => undefined);
}

/**
 * "Full jitter" backoff: a random wait below an exponentially growing
 * ceiling, so writers that collided once spread out instead of colliding
 * again in lock-step.
 */
export function fullJitterMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
