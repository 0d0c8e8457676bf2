import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { UnavailableError, type CodeProblem } from '../../errors.js';
import { FairQueue, fairLimits, type FairQueueLimits, type ValidationCaller } from '../../validate/fair-validation.js';
import { precheckFiles } from '../../validate/prechecks.js';
import { createPythonValidator, type PythonValidator, type PythonValidatorOptions } from './python-validator.js';

/** Options for {@link createValidatorPool}. */
export interface ValidatorPoolOptions extends PythonValidatorOptions {
  /** Pyodide workers (each about 60 MB and one core while it runs); default {@link defaultPoolSize}. */
  readonly size?: number;
  readonly limits?: FairQueueLimits;
  /** Verdicts kept by content hash (least recently used dropped first). */
  readonly cacheEntries?: number;
  /** For tests: how one worker is made. */
  readonly createValidator?: (options: PythonValidatorOptions) => PythonValidator;
}

/** A {@link PythonValidator} whose validate knows who asks. */
export interface ValidatorPool extends PythonValidator {
  validate(files: Readonly<Record<string, string>>, entrypoint: string, allowedImports?: readonly string[], caller?: ValidationCaller): Promise<CodeProblem[]>;
  stats(): { readonly workers: number; readonly busy: number; readonly queued: number; readonly cached: number };
}

/** Two workers at least (one user at a time holds at most half), at most four, one core left for the API. */
export function defaultPoolSize(cores = availableParallelism()): number {
  return Math.max(2, Math.min(4, cores - 1));
}

interface Job {
  readonly files: Readonly<Record<string, string>>;
  readonly entrypoint: string;
  readonly allowedImports: readonly string[] | undefined;
  readonly resolve: (problems: CodeProblem[]) => void;
  readonly reject: (error: Error) => void;
}

interface Worker {
  readonly validator: PythonValidator;
  busy: boolean;
}

const ANONYMOUS: ValidationCaller = { user: '', purpose: 'edit' };

/** The same files, entrypoint and allow-list always get the same verdict: its key. */
export function verdictKey(files: Readonly<Record<string, string>>, entrypoint: string, allowedImports: readonly string[] | undefined): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([entrypoint, allowedImports ?? null]));
  for (const path of Object.keys(files).sort()) hash.update(JSON.stringify([path, files[path]]));
  return hash.digest('hex');
}

/**
 * N Pyodide validators behind the fair queue of fair-validation.ts, with a
 * verdict cache by content hash and identical calls in flight shared. A call
 * is handed to a worker only when that worker is idle, so the fair queue (not
 * a worker's own FIFO) decides the order.
 */
export function createValidatorPool(options: ValidatorPoolOptions): ValidatorPool {
  const size = Math.max(1, options.size ?? defaultPoolSize());
  const make = options.createValidator ?? createPythonValidator;
  const workers: Worker[] = Array.from({ length: size }, () => ({ validator: make(options), busy: false }));
  const queue = new FairQueue<Job>(options.limits ?? fairLimits(size));
  const cacheEntries = options.cacheEntries ?? 512;
  const cache = new Map<string, CodeProblem[]>();
  const inFlight = new Map<string, Promise<CodeProblem[]>>();
  let closed = false;

  const first = (): PythonValidator => workers[0]?.validator ?? (undefined as never);
  const ready = Promise.all(workers.map((w) => w.validator.ready)).then(() => undefined);
  ready.catch(() => undefined);

  function remember(key: string, problems: CodeProblem[]): void {
    cache.delete(key);
    cache.set(key, problems);
    for (const old of cache.keys()) {
      if (cache.size <= cacheEntries) break;
      cache.delete(old);
    }
  }

  function dispatch(): void {
    for (const worker of workers) {
      if (worker.busy || closed) continue;
      const next = queue.take();
      if (!next) return;
      worker.busy = true;
      const { caller, item: job } = next;
      worker.validator
        .validate(job.files, job.entrypoint, job.allowedImports)
        .then(job.resolve, (error: unknown) => job.reject(error instanceof Error ? error : new Error(String(error))))
        .finally(() => {
          worker.busy = false;
          queue.finish(caller.user);
          dispatch();
        });
    }
  }

  function enqueue(caller: ValidationCaller, files: Job['files'], entrypoint: string, allowedImports: Job['allowedImports']): Promise<CodeProblem[]> {
    return new Promise<CodeProblem[]>((resolve, reject) => {
      queue.push(caller, { files, entrypoint, allowedImports, resolve, reject });
      dispatch();
    });
  }

  return {
    ready,
    async validate(files, entrypoint, allowedImports, caller = ANONYMOUS) {
      if (closed) throw new UnavailableError('the Python validator is closed');
      const early = precheckFiles(files, entrypoint);
      if (early.length > 0) return early;
      const key = verdictKey(files, entrypoint, allowedImports);
      const known = cache.get(key);
      if (known) {
        remember(key, known);
        return known.map((p) => ({ ...p }));
      }
      const pending = inFlight.get(key);
      if (pending) return (await pending).map((p) => ({ ...p }));
      const call = enqueue(caller, files, entrypoint, allowedImports);
      inFlight.set(key, call);
      try {
        const problems = await call;
        remember(key, problems);
        return problems.map((p) => ({ ...p }));
      } finally {
        inFlight.delete(key);
      }
    },
    checkSyntax: (path, source) => first().checkSyntax(path, source),
    defaultAllowedImports: () => first().defaultAllowedImports(),
    pythonVersion: () => first().pythonVersion(),
    stats: () => ({ workers: size, busy: workers.filter((w) => w.busy).length, queued: queue.size, cached: cache.size }),
    async close() {
      closed = true;
      for (const job of queue.drain()) job.reject(new UnavailableError('the Python validator is closed'));
      await Promise.allSettled(workers.map((w) => w.validator.close()));
    },
  };
}
