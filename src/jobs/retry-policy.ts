import { fullJitterMs } from '../backoff.js';
import { BerthError } from '../errors.js';

/** Exponential backoff bounds for retried jobs. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000 };

/** A handler may mark any error retryable with `transient: true` (for errors that are not a BerthError). */
interface TransientMark {
  readonly transient: true;
}

function hasTransientMark(error: object): error is TransientMark {
  return 'transient' in error && error.transient === true;
}

/** True when a retry may succeed where this attempt failed. */
export function isTransient(error: unknown): boolean {
  if (error instanceof BerthError && error.retriable) return true;
  return typeof error === 'object' && error !== null && hasTransientMark(error);
}

/** Marks an error retryable for the job runner (for errors from code that throws no BerthError). */
export function markTransient<E extends Error>(error: E): E & TransientMark {
  return Object.assign(error, { transient: true as const });
}

/**
 * "Full jitter": a random delay below an exponentially growing ceiling, so
 * jobs that failed together (a remote was down for everyone) do not all come
 * back in the same instant. `attempt` counts from 1.
 */
export function retryDelayMs(attempt: number, backoff: BackoffOptions, random: () => number = Math.random): number {
  return fullJitterMs(attempt - 1, backoff.baseMs, backoff.maxMs, random);
}

/**
 * What a person reads in a failed job or deployment. Berth's own errors
 * (and errors marked transient) already say what went wrong; anything else is a bug,
 * and the message says so instead of pretending the user can fix it.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof BerthError || (error instanceof Error && isTransient(error))) return error.message;
  const reason = error instanceof Error ? error.message : String(error);
  return `internal error (${reason}); this is a bug in Berth, not in your app: tell an operator`;
}
