import type { LeaseStore } from '../ports/store.js';
import { describeFailure } from './retry-policy.js';
import type { JobLogger } from './runner.js';

/** Work that one replica of the fleet does every `everyMs`. */
export interface PeriodicTask {
  readonly name: string;
  readonly everyMs: number;
  /** How long a holder keeps the task's lease between renewals; must exceed everyMs. Default 2 × everyMs. */
  readonly leaseMs?: number;
  /** Aborted when the lease is lost or the process stops: stop between steps. */
  run(signal: AbortSignal): Promise<unknown>;
}

export interface PeriodicRun {
  readonly name: string;
  readonly outcome: 'ok' | 'failed';
  readonly durationMs: number;
}

export interface PeriodicTasksOptions {
  readonly leases: LeaseStore;
  readonly owner: string;
  readonly tasks: readonly PeriodicTask[];
  readonly now?: () => Date;
  readonly logger?: JobLogger;
  readonly onRun?: (run: PeriodicRun) => void;
}

export interface PeriodicTasks {
  start(): void;
  /** Stops scheduling, aborts running tasks, waits for them up to `deadlineMs`, and releases the leases. */
  stop(deadlineMs?: number): Promise<void>;
}

const silent: JobLogger = { info() {}, warn() {}, error() {} };

/**
 * Runs each task only while this process holds the store lease
 * `periodic:<name>`, so exactly one replica runs it however many are up (the
 * original platform ran its background tasks in every replica). The holder
 * renews the lease at every tick and while a run lasts, and keeps it across
 * ticks, so the task does not hop between replicas; stop() releases it, so
 * another replica takes over at its next tick rather than after expiry.
 */
export function createPeriodicTasks(options: PeriodicTasksOptions): PeriodicTasks {
  const { leases, owner } = options;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silent;
  const sleepers = new Set<() => void>();
  const controllers = new Set<AbortController>();
  let loops: Promise<void>[] = [];
  let stopping = false;

  const leaseName = (task: PeriodicTask) => `periodic:${task.name}`;
  const until = (ms: number) => new Date(now().getTime() + ms).toISOString();

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  }

  async function holdLease(task: PeriodicTask, leaseMs: number): Promise<boolean> {
    try {
      return await leases.acquire(leaseName(task), owner, now().toISOString(), until(leaseMs));
    } catch (error) {
      logger.warn({ task: task.name, err: describeFailure(error) }, 'periodic task lease check failed');
      return false;
    }
  }

  async function runHeld(task: PeriodicTask, leaseMs: number): Promise<void> {
    const controller = new AbortController();
    controllers.add(controller);
    const renew = async () => {
      if (!(await holdLease(task, leaseMs)) && !controller.signal.aborted) controller.abort(new Error('lease lost'));
    };
    const timer = setInterval(() => void renew(), Math.max(1, Math.floor(leaseMs / 3)));
    const started = Date.now();
    let outcome: PeriodicRun['outcome'] = 'ok';
    try {
      await task.run(controller.signal);
    } catch (error) {
      outcome = 'failed';
      logger.error({ task: task.name, err: describeFailure(error) }, 'periodic task failed; it runs again at its next tick');
    } finally {
      clearInterval(timer);
      controllers.delete(controller);
    }
    options.onRun?.({ name: task.name, outcome, durationMs: Date.now() - started });
  }

  async function loop(task: PeriodicTask): Promise<void> {
    const leaseMs = task.leaseMs ?? task.everyMs * 2;
    while (!stopping) {
      if ((await holdLease(task, leaseMs)) && !stopping) await runHeld(task, leaseMs);
      if (!stopping) await pause(task.everyMs);
    }
  }

  async function stop(deadlineMs = 10_000): Promise<void> {
    stopping = true;
    [...sleepers].forEach((wake) => wake());
    controllers.forEach((controller) => controller.abort(new Error('shutting down')));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(loops), new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
    clearTimeout(timer);
    for (const task of options.tasks) {
      try {
        await leases.release(leaseName(task), owner);
      } catch (error) {
        logger.warn({ task: task.name, err: describeFailure(error) }, 'releasing a periodic lease failed; it expires on its own');
      }
    }
  }

  return {
    start() {
      if (loops.length > 0 || stopping) return;
      for (const task of options.tasks) {
        if (!(task.everyMs > 0)) throw new RangeError(`periodic task ${task.name} needs everyMs > 0`);
        if (task.leaseMs !== undefined && task.leaseMs <= task.everyMs) {
          throw new RangeError(`periodic task ${task.name}: leaseMs must exceed everyMs, or the lease lapses between ticks`);
        }
      }
      loops = options.tasks.map((task) => loop(task));
    },
    stop,
  };
}
