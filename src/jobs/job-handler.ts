import type { Job } from '../store/types.js';

/** What a handler gets besides the payload. */
export interface JobContext {
  /** The job as claimed: `attempts` already counts this attempt. */
  readonly job: Job;
  /** Aborted when the lease is lost (another worker owns the job now) or shutdown's deadline passed. */
  readonly signal: AbortSignal;
}

/**
 * Does one kind of job. `run` throws a retriable BerthError (or an error marked
 * transient) for a failure a retry may fix, anything else for a permanent
 * one. The hooks record the runner's verdict where people look (a
 * deployment's timeline); they are not called for a job this worker lost.
 */
export interface JobHandler {
  run(payload: unknown, context: JobContext): Promise<void>;
  /** The attempt failed and the job will run again at `retryAt`. */
  retrying?(job: Job, message: string, retryAt: string): Promise<void>;
  /** The job failed for good; `message` is meant for a person. */
  failed?(job: Job, message: string): Promise<void>;
}

/** How one claimed attempt ended: `abandoned` = the lease was lost or shutdown came first. */
export type JobOutcome = 'done' | 'retry' | 'failed' | 'abandoned';

export interface JobMetrics {
  readonly kind: string;
  readonly outcome: JobOutcome;
  readonly attempt: number;
  /** How long the handler (and the store calls that settle it) took. */
  readonly durationMs: number;
  /** From the moment the job was due to the moment it was claimed. */
  readonly waitMs: number;
}

/** The subset of pino the runner uses. */
export interface JobLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
