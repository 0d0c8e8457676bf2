import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { LogLine } from '../../services/runtime-port.js';
import { envValueProblem, reservedEnvReason } from '../../domain/env-rule.js';
import { freePort } from '../net/free-port.js';
import { lineSplitter } from './log-buffer.js';

/**
 * The app's env without the names only the runtime sets: the one rule of
 * src/domain/env-rule.ts (the draft already refuses them; this keeps an app
 * committed before the rule from setting them on this machine), and no
 * value a process environment cannot carry.
 */
export function appEnvForHost(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => reservedEnvReason(name) === undefined && envValueProblem(value) === undefined));
}

/** Marks every runner this Berth starts, so a later Berth on the same DATA_DIR finds the orphans of a kill -9. */
export const OWNER_VARIABLE = 'BERTH_LOCAL_RUNTIME_OWNER';

export interface RunnerLaunch {
  readonly python: string;
  readonly entrypointScript: string;
  readonly codeDir: string;
  readonly entrypoint: string;
  readonly env: Readonly<Record<string, string>>;
  readonly owner: string;
  readonly onLine: (line: LogLine) => void;
}

/**
 * One `python3 runner/entrypoint.py` process serving one app on 127.0.0.1.
 * Its environment is built from scratch: Berth's own (config, keys) never
 * reaches user code.
 */
export class RunnerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines of output, for the message of a failed start or a crash. */
  private readonly recent: string[] = [];
  private stopping = false;

  private constructor(
    readonly port: number,
    launch: RunnerLaunch,
  ) {
    this.child = spawn(launch.python, [launch.entrypointScript], {
      cwd: launch.codeDir,
      env: {
        ...appEnvForHost(launch.env),
        PATH: '/usr/local/bin:/usr/bin:/bin',
        LANG: 'C.UTF-8',
        HOME: launch.codeDir,
        PYTHONUNBUFFERED: '1',
        CODE_DIR: launch.codeDir,
        ENTRYPOINT: launch.entrypoint,
        PORT: String(port),
        BERTH_HOST: '127.0.0.1',
        BERTH_FORWARDED_ALLOW_IPS: '127.0.0.1',
        BERTH_SHUTDOWN_SECONDS: '5',
        [OWNER_VARIABLE]: launch.owner,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (line: LogLine) => {
      this.recent.push(line.text);
      if (this.recent.length > 20) this.recent.shift();
      launch.onLine(line);
    };
    const out = lineSplitter('stdout', keep);
    const err = lineSplitter('stderr', keep);
    this.child.stdout?.on('data', (chunk: Buffer) => out.write(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => err.write(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        keep({ at: new Date().toISOString(), stream: 'stderr', text: `cannot start ${launch.python}: ${error.message}` });
        resolve({ code: null, signal: null });
      });
      this.child.once('close', (code, signal) => {
        out.end();
        err.end();
        resolve({ code, signal });
      });
    });
  }

  static async launch(launch: RunnerLaunch): Promise<RunnerProcess> {
    return new RunnerProcess(await freePort(), launch);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** The last output lines, the user's `main.py:3: ...` among them when the import failed. */
  lastLines(count = 8): string[] {
    return this.recent.slice(-count);
  }

  /**
   * Polls /ready until it answers 200. Rejects when the process exits first
   * or the deadline passes; the runner is ready 150-200 ms after start with
   * a hello app, so a short poll interval is what makes a deploy fast.
   */
  async waitReady(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!exited) {
      if (await probe(this.port, '/ready')) return;
      if (Date.now() > deadline) throw new Error(`not ready within ${Math.round(deadlineMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const { code, signal } = await this.exited;
    throw new Error(signal ? `killed by ${signal}` : `exited with code ${code ?? 'unknown'}`);
  }

  /** SIGTERM (the runner drains in-flight requests), SIGKILL after the grace period. */
  async stop(graceMs = 6_000): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Resident memory in bytes (Linux /proc), undefined where it cannot be read. */
  async residentBytes(): Promise<number | undefined> {
    if (this.pid === undefined) return undefined;
    try {
      const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      return kb ? Number(kb) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }
}

function probe(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 1_000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
