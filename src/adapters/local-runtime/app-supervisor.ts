import type { LogLine, RuntimeAppStatus, RuntimeEvent, RuntimeReport } from '../../services/runtime-port.js';
import type { AppRef } from '../../domain/names.js';
import type { AppRunSpec } from './app-folder.js';
import { Ring } from './log-buffer.js';
import type { RunnerProcess } from './runner-process.js';

/** What Git says this app should be: the app folder at its latest commit. */
export interface DesiredApp {
  /** The latest commit that touched the app's folder. */
  readonly commit: string;
  /** The folder's tree id: the same id is the same app, whatever commit carries it. */
  readonly key: string;
  readonly spec?: AppRunSpec;
  /** The folder cannot be run (unreadable deployment.yaml, undecryptable secret). */
  readonly error?: string;
}

export interface SupervisorContext {
  /** Writes code/ to a fresh folder and starts a runner on it. */
  launch(ref: AppRef, spec: AppRunSpec, onLine: (line: LogLine) => void): Promise<{ process: RunnerProcess; codeDir: string }>;
  discard(codeDir: string): Promise<void>;
  /** Called before an app with no process starts one: may put idle apps to sleep to stay under the limit. */
  makeRoom(starting: AppSupervisor): Promise<void>;
  report(report: RuntimeReport): void;
  /** What makes every start fail (python3 or FastAPI missing), if anything. */
  problem(): string | undefined;
  readonly readyTimeoutMs: number;
}

interface Instance {
  readonly process: RunnerProcess;
  readonly codeDir: string;
  readonly commit: string;
  readonly key: string;
  readonly startedAt: number;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** A process that served this long before it crashed starts the backoff over. */
const STABLE_AFTER_MS = 10_000;

/** Exponential, capped, with ±20% jitter so crash loops of many apps do not line up. */
export function restartDelayMs(failures: number, random = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Keeps one app running as Git says: start the new commit's process, wait
 * for /ready, then stop the old one (no moment without an answer); replicas
 * 0 stops it; a crash restarts it with backoff and shows the last lines of
 * its output. Every change of state goes through {@link converge}, which is
 * safe to call at any time.
 */
export class AppSupervisor {
  readonly logs = new Ring<LogLine>(2_000);
  readonly events = new Ring<RuntimeEvent>(200);
  lastUsedAt = Date.now();
  private desired: DesiredApp | undefined;
  private serving: Instance | undefined;
  private starting: Instance | undefined;
  private phase: RuntimeAppStatus['phase'] = 'starting';
  private message = 'starting';
  private failures = 0;
  private failedKey: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Put to sleep to stay under the limit of running apps; the next request wakes it. */
  private idle = false;
  private removed = false;
  /** The folder being launched (between the decision to start and the process existing). */
  private launching: string | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly ref: AppRef,
    private readonly ctx: SupervisorContext,
  ) {}

  get desiredCommit(): string | undefined {
    return this.desired?.commit;
  }

  get desiredKey(): string | undefined {
    return this.desired?.key;
  }

  /** Running the folder Git asks for (or asleep as asked): nothing is left to do. */
  get isSettled(): boolean {
    if (this.desired?.spec?.replicas === 0) return !this.hasProcess;
    return this.serving !== undefined && this.serving.key === this.desired?.key && this.phase === 'running';
  }

  get hasProcess(): boolean {
    return this.serving !== undefined || this.starting !== undefined;
  }

  get runningProcess(): RunnerProcess | undefined {
    return this.serving?.process;
  }

  get memoryLimitBytes(): number | undefined {
    return this.desired?.spec?.memoryLimitBytes;
  }

  apply(desired: DesiredApp, startNow: boolean): void {
    const changed = this.desired?.key !== desired.key;
    this.desired = desired;
    if (changed) {
      this.clearRetry();
      this.failures = 0;
      this.failedKey = undefined;
      this.event('Normal', 'Reconciling', `commit ${desired.commit.slice(0, 12)}`);
    }
    if (!startNow && !this.hasProcess) {
      this.idle = true;
      this.setPhase('asleep', this.idleMessage());
    }
    void this.converge();
  }

  status(): RuntimeAppStatus {
    const desired = this.desired?.spec?.replicas ?? 1;
    return {
      ...(this.serving ? { liveCommit: this.serving.commit } : this.phase === 'asleep' && this.desired ? { liveCommit: this.desired.commit } : {}),
      ready: this.serving !== undefined && this.phase === 'running',
      replicas: { desired: this.idle ? 1 : desired, ready: this.serving ? 1 : 0 },
      message: this.message,
      phase: this.phase,
    };
  }

  /**
   * The port to proxy to, starting an idle app or waiting for a first start
   * when needed; otherwise why there is none.
   */
  async acquire(waitMs: number): Promise<{ port: number } | { state: 'asleep' | 'failed' | 'absent'; message: string }> {
    this.lastUsedAt = Date.now();
    if (this.idle) {
      this.idle = false;
      this.event('Normal', 'Waking', 'a request arrived');
      this.setPhase('starting', 'starting: a request arrived');
      void this.converge();
    }
    if (!this.serving && (this.starting || this.launching)) await this.waitForChange(waitMs);
    if (this.serving) return { port: this.serving.process.port };
    if (this.phase === 'asleep') return { state: 'asleep', message: this.message };
    return { state: this.removed ? 'absent' : 'failed', message: this.message };
  }

  /** Stops for the limit of running apps; started again by the next request. */
  async sleepIdle(): Promise<void> {
    this.idle = true;
    this.clearRetry();
    this.event('Normal', 'Idle', this.idleMessage());
    this.setPhase('asleep', this.idleMessage());
    await this.stopAll();
  }

  /** The app was deleted (or Berth shuts down): stop and never start again. */
  async remove(reason: string): Promise<void> {
    this.removed = true;
    this.clearRetry();
    this.event('Normal', 'Deleted', reason);
    this.setPhase('absent', reason);
    await this.stopAll();
  }

  private idleMessage(): string {
    return 'idle: stopped to stay within the limit of running apps (LOCAL_RUNTIME_MAX_APPS); the next request starts it';
  }

  private async converge(): Promise<void> {
    const desired = this.desired;
    if (this.removed || !desired) return;
    if (desired.spec?.replicas === 0) {
      if (this.hasProcess || this.phase !== 'asleep') this.event('Normal', 'Asleep', 'replicas 0: stopped');
      this.setPhase('asleep', 'asleep (replicas 0): wake it to start it');
      await this.stopAll();
      return;
    }
    if (this.idle) return;
    const problem = this.ctx.problem() ?? desired.error;
    if (problem || !desired.spec) {
      this.fail(desired, problem ?? 'nothing to run', false);
      return;
    }
    if (this.serving?.key === desired.key || this.starting?.key === desired.key || this.launching === desired.key) return;
    if (this.retryTimer && this.failedKey === desired.key) return;
    await this.start(desired, desired.spec);
  }

  private async start(desired: DesiredApp, spec: AppRunSpec): Promise<void> {
    this.launching = desired.key;
    try {
      await this.launch(desired, spec);
    } finally {
      if (this.launching === desired.key) this.launching = undefined;
    }
  }

  private async launch(desired: DesiredApp, spec: AppRunSpec): Promise<void> {
    if (!this.hasProcess) await this.ctx.makeRoom(this);
    if (this.desired !== desired || this.removed || this.idle) return;
    const previousStart = this.starting;
    let launched: Awaited<ReturnType<SupervisorContext['launch']>>;
    try {
      launched = await this.ctx.launch(this.ref, spec, (line) => this.logs.push(line));
    } catch (error) {
      this.fail(desired, error instanceof Error ? error.message : String(error), true);
      return;
    }
    if (this.desired !== desired || this.removed || this.idle) {
      await launched.process.stop();
      await this.ctx.discard(launched.codeDir);
      return;
    }
    const instance: Instance = { ...launched, commit: desired.commit, key: desired.key, startedAt: Date.now() };
    this.starting = instance;
    // From here `starting` says what is being started; a later commit with the same folder must not wait on this call.
    this.launching = undefined;
    if (previousStart) void this.retire(previousStart);
    if (!this.serving) this.setPhase('starting', `starting commit ${desired.commit.slice(0, 12)}`);
    this.event('Normal', 'Started', `process ${instance.process.pid ?? '?'} on 127.0.0.1:${instance.process.port}`);
    try {
      await instance.process.waitReady(this.ctx.readyTimeoutMs);
    } catch (error) {
      if (this.starting !== instance) return;
      this.starting = undefined;
      const lines = instance.process.lastLines().join('\n');
      void this.retire(instance);
      this.fail(desired, `${error instanceof Error ? error.message : String(error)}${lines ? `:\n${lines}` : ''}`, true);
      return;
    }
    if (this.starting !== instance) return;
    this.starting = undefined;
    const old = this.serving;
    this.serving = instance;
    this.failedKey = undefined;
    this.setPhase('running', 'ready');
    this.event('Normal', 'Ready', `commit ${desired.commit.slice(0, 12)} answers on /ready`);
    this.ctx.report({ app: this.ref, commit: desired.commit, outcome: 'ready', message: 'the runner answers on /ready', at: new Date().toISOString() });
    void instance.process.exited.then((exit) => this.onExit(instance, exit));
    if (old) void this.retire(old);
  }

  private onExit(instance: Instance, exit: { code: number | null; signal: NodeJS.Signals | null }): void {
    if (this.serving !== instance || instance.process.isStopping) return;
    this.serving = undefined;
    if (Date.now() - instance.startedAt >= STABLE_AFTER_MS) this.failures = 0;
    void this.ctx.discard(instance.codeDir);
    const lines = instance.process.lastLines().join('\n');
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
    const desired = this.desired;
    if (desired) this.fail(desired, `crashed (${how})${lines ? `:\n${lines}` : ''}`, true);
  }

  private fail(desired: DesiredApp, message: string, retry: boolean): void {
    const firstReport = this.failedKey !== desired.key;
    this.failures += 1;
    this.failedKey = desired.key;
    this.setPhase('failed', `failed: ${message}`.slice(0, 2_000));
    this.event('Warning', retry ? 'BackOff' : 'Failed', this.message);
    if (firstReport) this.ctx.report({ app: this.ref, commit: desired.commit, outcome: 'failed', message: this.message, at: new Date().toISOString() });
    if (!retry) return;
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.converge();
    }, restartDelayMs(this.failures));
  }

  private async retire(instance: Instance): Promise<void> {
    await instance.process.stop();
    await this.ctx.discard(instance.codeDir);
  }

  private async stopAll(): Promise<void> {
    const instances = [this.serving, this.starting].filter((i): i is Instance => i !== undefined);
    this.serving = undefined;
    this.starting = undefined;
    this.notify();
    await Promise.all(instances.map((i) => this.retire(i)));
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private setPhase(phase: RuntimeAppStatus['phase'], message: string): void {
    this.phase = phase;
    this.message = message;
    this.notify();
  }

  private notify(): void {
    // Cleared first: a waiter that is not done yet adds itself again for the next change.
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      const waiters = this.waiters;
      const check = () => {
        if (this.serving || (!this.starting && !this.launching)) done();
        else waiters.add(check);
      };
      waiters.add(check);
    });
  }

  private event(type: RuntimeEvent['type'], reason: string, message: string): void {
    this.events.push({ at: new Date().toISOString(), type, reason, message: message.slice(0, 2_000), source: 'local-runtime' });
  }
}
