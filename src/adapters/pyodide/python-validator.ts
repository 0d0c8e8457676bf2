import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { packageRoot } from '../../package-paths.js';
import { UnavailableError, type CodeProblem } from '../../errors.js';
import { precheckFiles } from '../../validate/prechecks.js';
import { WORKER_SOURCE } from './worker-source.js';

/** Options for {@link createPythonValidator}. */
export interface PythonValidatorOptions {
  /** Deadline for one call once it runs in the worker; on expiry the worker is replaced. */
  readonly timeoutMs: number;
  /** Where Pyodide's files are; defaults to the installed `pyodide` package. */
  readonly indexURL?: string;
  /** runner/validation.py by default: the same file the runner image runs. */
  readonly validationSourcePath?: string;
}

/** Python validation of app code through Pyodide, loaded once off the request path. */
export interface PythonValidator {
  /** Settles when Pyodide and validation.py are loaded (rejects if they cannot be). */
  readonly ready: Promise<void>;
  /** Every problem in the files, in the order validation.py sorts them; [] when the app is fine. */
  validate(files: Readonly<Record<string, string>>, entrypoint: string, allowedImports?: readonly string[]): Promise<CodeProblem[]>;
  /** The syntax verdict for one file (null when it compiles): what the agreement tests compare with CPython. */
  checkSyntax(path: string, source: string): Promise<CodeProblem | null>;
  /** validation.py's default import allow-list; available once {@link ready} has settled. */
  defaultAllowedImports(): string[];
  /** The Python version inside Pyodide (e.g. 3.13.2), once ready. */
  pythonVersion(): string;
  close(): Promise<void>;
}

const problemSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  message: z.string(),
  rule: z.enum(['syntax', 'import', 'forbidden', 'entrypoint', 'size', 'path']),
});
const workerMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), defaults: z.string(), version: z.string() }),
  z.object({ kind: z.literal('load-failed'), message: z.string() }),
  z.object({ kind: z.literal('result'), id: z.number(), json: z.string() }),
  z.object({ kind: z.literal('failed'), id: z.number(), message: z.string() }),
]);

interface Call {
  readonly kind: 'validate' | 'syntax';
  readonly payload: string;
  readonly resolve: (json: string) => void;
  readonly reject: (error: Error) => void;
}

interface Loaded {
  readonly worker: Worker;
  readonly defaults: string[];
  readonly version: string;
}

/**
 * Starts a worker thread that loads Pyodide and runner/validation.py (about
 * 2.5 s, once). Calls run one at a time; a call that overruns `timeoutMs` is
 * rejected with UnavailableError and the worker is terminated and reloaded,
 * so a pathological file never blocks the event loop or later calls.
 */
export function createPythonValidator(options: PythonValidatorOptions): PythonValidator {
  const source = readFileSync(options.validationSourcePath ?? join(packageRoot(), 'runner', 'validation.py'), 'utf8');
  const pyodidePath = createRequire(import.meta.url).resolve('pyodide');
  const queue: Call[] = [];
  let loaded: Promise<Loaded> = startWorker();
  let current: Loaded | undefined;
  let busy = false;
  let closed = false;
  let nextId = 1;

  function startWorker(): Promise<Loaded> {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pyodidePath, source, indexURL: options.indexURL } });
    worker.unref();
    return new Promise<Loaded>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (raw: unknown) => {
        const message = workerMessageSchema.parse(raw);
        if (message.kind === 'ready') {
          const defaults = z.array(z.string()).parse(JSON.parse(message.defaults));
          current = { worker, defaults, version: message.version };
          resolve(current);
        } else {
          void worker.terminate();
          reject(new UnavailableError(`Python validation could not start: ${message.kind === 'load-failed' ? message.message : message.kind}`));
        }
      });
    });
  }

  async function pump(): Promise<void> {
    if (busy || closed) return;
    const call = queue.shift();
    if (!call) return;
    busy = true;
    try {
      call.resolve(await run(await loaded, call));
    } catch (error) {
      call.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      busy = false;
      void pump();
    }
  }

  function run(target: Loaded, call: Call): Promise<string> {
    const id = nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        target.worker.off('message', onMessage);
        void target.worker.terminate();
        loaded = startWorker();
        loaded.catch(() => undefined);
        reject(new UnavailableError(`code validation did not finish within ${options.timeoutMs} ms`, { timeoutMs: options.timeoutMs }));
      }, options.timeoutMs);
      const onMessage = (raw: unknown): void => {
        const message = workerMessageSchema.parse(raw);
        if ((message.kind !== 'result' && message.kind !== 'failed') || message.id !== id) return;
        clearTimeout(timer);
        target.worker.off('message', onMessage);
        if (message.kind === 'result') resolve(message.json);
        else reject(new UnavailableError(`code validation failed: ${message.message}`));
      };
      target.worker.on('message', onMessage);
      target.worker.postMessage({ id, kind: call.kind, payload: call.payload });
    });
  }

  function submit(kind: Call['kind'], payload: string): Promise<string> {
    if (closed) return Promise.reject(new UnavailableError('the Python validator is closed'));
    return new Promise<string>((resolve, reject) => {
      queue.push({ kind, payload, resolve, reject });
      void pump();
    });
  }

  function requireLoaded(): Loaded {
    if (!current) throw new UnavailableError('the Python validator is still loading');
    return current;
  }

  const ready = loaded.then(() => undefined);
  ready.catch(() => undefined);

  return {
    ready,
    async validate(files, entrypoint, allowedImports) {
      const early = precheckFiles(files, entrypoint);
      if (early.length > 0) return early;
      const json = await submit('validate', JSON.stringify({ files, entrypoint, allowedImports: allowedImports ?? null }));
      return z.array(problemSchema).parse(JSON.parse(json));
    },
    async checkSyntax(path, text) {
      const json = await submit('syntax', JSON.stringify({ path, source: text }));
      return problemSchema.nullable().parse(JSON.parse(json));
    },
    defaultAllowedImports: () => [...requireLoaded().defaults],
    pythonVersion: () => requireLoaded().version,
    async close() {
      closed = true;
      for (const call of queue.splice(0)) call.reject(new UnavailableError('the Python validator is closed'));
      const target = await loaded.catch(() => undefined);
      await target?.worker.terminate();
    },
  };
}
