import { equalJitterMs } from '../backoff.js';
import { UnavailableError } from '../errors.js';

/**
 * Stops hammering a dependency that is down: after a failure, calls are
 * answered at once with UnavailableError for a while, growing exponentially
 * with each consecutive failure, with jitter so that replicas do not retry in
 * step. One success closes the gate.
 */
export interface OutageGate {
  /** Throws UnavailableError while the gate is closed after a recent failure. */
  check(): void;
  failed(): void;
  succeeded(): void;
}

export interface OutageGateOptions {
  readonly message: string;
  /** First wait after a failure, ms (before jitter); default 500. */
  readonly baseMs?: number;
  /** Longest wait, ms; default 30 s. */
  readonly maxMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

export function createOutageGate(options: OutageGateOptions): OutageGate {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  let failures = 0;
  let closedUntil = 0;
  return {
    check() {
      if (now() < closedUntil) throw new UnavailableError(options.message, { retryAfterMs: closedUntil - now() });
    },
    failed() {
      failures += 1;
      closedUntil = now() + equalJitterMs(failures - 1, baseMs, maxMs, random);
    },
    succeeded() {
      failures = 0;
      closedUntil = 0;
    },
  };
}
