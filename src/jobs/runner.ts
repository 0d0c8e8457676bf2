import type { JobStore } from '../ports/store.js';
import type { Job } from '../store/types.js';
import type { JobHandler, JobLogger, JobMetrics, JobOutcome } from './job-handler.js';
import { DEFAULT_BACKOFF, describeFailure, isTransient, retryDelayMs, type BackoffOptions } from './retry-policy.js';

export type { JobContext, JobHandler, JobLogger, JobMetrics, JobOutcome } from './job-handler.js';

export interface JobRunnerOptions {
  readonly jobs: JobStore;
  readonly handlers: Readonly<Record<string, JobHandler>>;
  /** Lease owner id; unique per process start unless `releaseOwnLeasesOnStart` (see readNodeId). */
  readonly owner: string;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  readonly concurrency?: number;
  /** Attempts before a transient failure becomes permanent (also caps jobs whose worker keeps dying). */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /**
   * `owner` is stable across restarts of this node: any lease it still holds
   * at start belongs to a dead incarnation, so it is released at once instead
   * of waiting for it to expire.
   */
  readonly releaseOwnLeasesOnStart?: boolean;
  readonly now?: () => Date;
  readonly random?: () => number;
  readonly logger?: JobLogger;
  readonly onMetrics?: (metrics: JobMetrics) => void;
}

export interface JobRunner {
  /** Releases a previous incarnation's leases (when asked to), then starts the workers. */
  start(): Promise<void>;
  /** A job was just enqueued: look now instead of at the next poll. */
  kick(): void;
  /** Stops claiming, waits for running jobs up to `deadlineMs`, then releases every lease this owner holds. */
  stop(deadlineMs: number): Promise<void>;
  /** Resolves once every worker found nothing claimable and nothing is running. */
  idle(): Promise<void>;
}

const silent: JobLogger = { info() {}, warn() {}, error() {} };

interface Running {
  readonly done: Promise<void>;
  abort(reason: string): void;
}

/**
 * Durable job workers over the store's queue. Correctness never rests on
 * this process staying alive: a job is leased, the lease is renewed every
 * third of its length, and a worker that dies simply stops renewing, so
 * another worker claims the job when the lease runs out. Handlers must be
 * idempotent for that reason (deploys are, through their request id).
 */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { jobs, handlers, owner } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 500;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silent;
  const kinds = Object.keys(handlers);
  const iso = (offsetMs = 0) => new Date(now().getTime() + offsetMs).toISOString();

  const running = new Map<string, Running>();
  const sleepers = new Set<() => void>();
  const idleWaiters: Array<() => void> = [];
  let idleWorkers = 0;
  let loops: Promise<void>[] = [];
  let started = false;
  let stopping = false;
  let stopped: Promise<void> | undefined;

  function settleIdle(): void {
    if ((idleWorkers < concurrency && !stopping) || running.size > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function pause(ms: number, idle: boolean): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (sleepers.delete(wake) && idle) idleWorkers -= 1;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
      if (idle) {
        idleWorkers += 1;
        settleIdle();
      }
    });
  }

  const wakeAll = () => [...sleepers].forEach((wake) => wake());

  async function claimNext(): Promise<Job | undefined | 'error'> {
    try {
      return await jobs.claim(owner, iso(), iso(leaseMs), kinds);
    } catch (error) {
      logger.error({ err: describeFailure(error), owner }, 'claiming a job failed; trying again at the next poll');
      return 'error';
    }
  }

  async function workLoop(): Promise<void> {
    while (!stopping) {
      const job = await claimNext();
      // A job claimed while stopping stays leased to us; stop() releases it.
      if (stopping) break;
      if (job === 'error' || job === undefined) {
        await pause(pollMs, job === undefined);
        continue;
      }
      const attempt = track(job);
      await attempt;
    }
  }

  function track(job: Job): Promise<void> {
    const lease = keepLease(job);
    const done = runClaimed(job, lease.signal).finally(() => {
      lease.stop();
      running.delete(job.id);
      settleIdle();
    });
    running.set(job.id, { done, abort: lease.abort });
    return done;
  }

  function keepLease(job: Job) {
    const controller = new AbortController();
    const abort = (reason: string) => {
      if (!controller.signal.aborted) controller.abort(new Error(reason));
    };
    const renew = async () => {
      try {
        if (!(await jobs.heartbeat(job.id, owner, iso(leaseMs)))) abort('lease lost: another worker owns this job now');
      } catch (error) {
        logger.warn({ job: job.id, err: describeFailure(error) }, 'lease heartbeat failed; will try again');
      }
    };
    const timer = setInterval(() => void renew(), Math.max(1, Math.floor(leaseMs / 3)));
    return { signal: controller.signal, abort, stop: () => clearInterval(timer) };
  }

  async function runClaimed(job: Job, signal: AbortSignal): Promise<void> {
    const handler = handlers[job.kind];
    const startedAt = Date.now();
    const waitMs = Math.max(0, now().getTime() - Date.parse(job.runAt));
    let outcome: JobOutcome;
    if (!handler) {
      outcome = await giveUp(job, undefined, `no handler for job kind ${JSON.stringify(job.kind)}`);
    } else if (job.attempts > maxAttempts) {
      // Only a worker that died mid-attempt leaves a job here: stop crash loops.
      const last = job.lastError ?? 'the worker stopped before finishing';
      outcome = await giveUp(job, handler, `gave up after ${job.attempts - 1} attempts: ${last}`);
    } else {
      outcome = await attemptJob(job, handler, signal);
    }
    options.onMetrics?.({
      kind: job.kind,
      outcome,
      attempt: job.attempts,
      durationMs: Date.now() - startedAt,
      waitMs,
    });
  }

  async function attemptJob(job: Job, handler: JobHandler, signal: AbortSignal): Promise<JobOutcome> {
    try {
      await handler.run(job.payload, { job, signal });
    } catch (error) {
      if (signal.aborted) return abandoned(job, signal);
      return settleFailure(job, handler, error);
    }
    return storeVerdict(job, () => jobs.complete(job.id, owner, iso()), 'done');
  }

  function abandoned(job: Job, signal: AbortSignal): JobOutcome {
    const reason = signal.reason instanceof Error ? signal.reason.message : 'aborted';
    logger.warn({ job: job.id, kind: job.kind, reason }, 'job abandoned; it stays queued for another attempt');
    return 'abandoned';
  }

  /** Writes the job's verdict; a refused write means the lease went to someone else meanwhile. */
  async function storeVerdict(job: Job, write: () => Promise<boolean>, outcome: JobOutcome): Promise<JobOutcome> {
    try {
      if (await write()) return outcome;
      logger.warn({ job: job.id, kind: job.kind, outcome }, 'job finished after its lease was lost; the new owner decides');
    } catch (error) {
      logger.error({ job: job.id, err: describeFailure(error) }, 'recording the job outcome failed; it runs again when the lease expires');
    }
    return 'abandoned';
  }

  async function settleFailure(job: Job, handler: JobHandler, error: unknown): Promise<JobOutcome> {
    const message = describeFailure(error);
    if (!isTransient(error)) return giveUp(job, handler, message);
    if (job.attempts >= maxAttempts) return giveUp(job, handler, `gave up after ${job.attempts} attempts: ${message}`);
    return retryLater(job, handler, message);
  }

  async function retryLater(job: Job, handler: JobHandler | undefined, message: string): Promise<JobOutcome> {
    const retryAt = iso(retryDelayMs(job.attempts, backoff, options.random));
    logger.warn({ job: job.id, kind: job.kind, attempt: job.attempts, retryAt, reason: message }, 'job failed; retrying');
    try {
      await handler?.retrying?.(job, message, retryAt);
    } catch (error) {
      logger.warn({ job: job.id, err: describeFailure(error) }, 'recording the retry failed');
    }
    return storeVerdict(job, () => jobs.fail(job.id, owner, message, iso(), retryAt), 'retry');
  }

  async function giveUp(job: Job, handler: JobHandler | undefined, message: string): Promise<JobOutcome> {
    try {
      await handler?.failed?.(job, message);
    } catch (error) {
      // The failure must reach the person: keep the job alive until it can be recorded, within the crash-loop cap.
      logger.error({ job: job.id, err: describeFailure(error) }, 'recording the failure failed');
      if (job.attempts <= maxAttempts) return retryLater(job, undefined, message);
    }
    logger.error({ job: job.id, kind: job.kind, attempt: job.attempts, reason: message }, 'job failed');
    return storeVerdict(job, () => jobs.fail(job.id, owner, message, iso()), 'failed');
  }

  async function drain(deadlineMs: number): Promise<void> {
    stopping = true;
    wakeAll();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs))));
    await Promise.race([Promise.all(loops), deadline]);
    clearTimeout(timer);
    for (const job of running.values()) job.abort('shutting down: deadline passed');
    try {
      const released = await jobs.releaseAll(owner, iso());
      logger.info({ owner, released, unfinished: running.size }, 'job runner stopped');
    } catch (error) {
      logger.error({ owner, err: describeFailure(error) }, 'releasing leases failed; they expire on their own');
    }
    settleIdle();
  }

  return {
    async start() {
      if (started) return;
      started = true;
      if (options.releaseOwnLeasesOnStart) {
        const released = await jobs.releaseAll(owner, iso());
        if (released > 0) logger.info({ owner, released }, 'released jobs left leased by a previous run of this node');
      }
      loops = Array.from({ length: concurrency }, () => workLoop());
    },
    kick: wakeAll,
    stop(deadlineMs) {
      stopped ??= drain(deadlineMs);
      return stopped;
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
  };
}
