import { setTimeout as delay } from 'node:timers/promises';

/*
 * THE backoff policy: exponential ceilings with jitter, so that callers that
 * failed together (writers that collided, jobs whose remote was down, replicas
 * facing one outage) spread out instead of retrying in lock-step. Git writes,
 * job retries, the OIDC outage gate and tenant database calls all use it.
 */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return delay(ms).then(() => undefined);
}

/** The exponential ceiling for a 0-based attempt: baseMs · 2^attempt, at most maxMs. */
export function backoffCeilingMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

/** "Full jitter": a random wait in [0, ceiling). `attempt` counts from 0. */
export function fullJitterMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeilingMs(attempt, baseMs, maxMs));
}

/** "Equal jitter": a random wait in [ceiling/2, ceiling), for a wait that must not collapse to zero. `attempt` counts from 0. */
export function equalJitterMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return backoffCeilingMs(attempt, baseMs, maxMs) * (0.5 + random() / 2);
}
