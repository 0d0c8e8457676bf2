import type { AppRef } from '../domain/names.js';

/*
 * The runtime port: what Berth knows and shows about running apps, whatever
 * runs them. Git says what should run; a runtime says what does. Two
 * adapters: `local` (src/adapters/local-runtime: Berth runs each committed
 * app as a runner process, the embedded default) and `kubernetes`
 * (src/adapters/kube: a read-only client of the cluster Flux reconciles into).
 * Both give the same answers, so the routes, the CLI and the UI need not know
 * which one is behind them.
 */

export type RuntimeKind = 'local' | 'kubernetes' | 'none';

/** One app as the runtime sees it. */
export interface RuntimeAppStatus {
  /** The commit actually applied (a Flux Kustomization's lastAppliedRevision; the local runtime's running commit). */
  readonly liveCommit?: string;
  readonly ready: boolean;
  readonly replicas: { readonly desired: number; readonly ready: number };
  /** For people: "ready", "asleep (replicas 0)", "failed: main.py:3: ...". */
  readonly message: string;
  /** `failed` when the live commit cannot run (crash loop, import error, health checks failing). */
  readonly phase: 'running' | 'starting' | 'asleep' | 'failed' | 'absent';
}

export interface RuntimeEvent {
  readonly at: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** Who said it: `local-runtime`, `kustomize-controller`, `deployment-controller`, `kubelet`, ... */
  readonly source: string;
}

export interface LogLine {
  readonly at: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/**
 * What a runtime reports when an app's live state changes: the deploy
 * timeline moves on from `committed` with it (reconciled, ready, failed).
 */
export interface RuntimeReport {
  readonly app: AppRef;
  readonly commit: string;
  readonly outcome: 'ready' | 'failed';
  readonly message: string;
  readonly at: string;
  /**
   * A confirmation that the app is settled at `commit` (the branch head), not
   * a transition: moves on a deployment that changed nothing, or a delete.
   */
  readonly settled?: boolean;
}

export interface LogQuery {
  /** How many of the newest lines (the adapters cap it). */
  readonly tail: number;
}

export interface RuntimePort {
  readonly kind: RuntimeKind;
  /** Undefined: the runtime knows nothing of this app (never deployed, deleted, or not reconciled yet). */
  status(app: AppRef): Promise<RuntimeAppStatus | undefined>;
  /** What a list of many apps shows: from what the runtime already holds, without a call per app. */
  glance(app: AppRef): Promise<RuntimeAppStatus | undefined>;
  /** Recent events about the app, oldest first. */
  events(app: AppRef): Promise<readonly RuntimeEvent[]>;
  logs(app: AppRef, query: LogQuery): Promise<readonly LogLine[]>;
  /**
   * The last `tail` lines, then every new line until `signal` aborts (or the
   * runtime ends the stream). Never throws after the first line: a broken
   * upstream ends the iteration.
   */
  followLogs(app: AppRef, query: LogQuery, signal: AbortSignal): AsyncIterable<LogLine>;
  /** Called with every report; returns the unsubscribe function. */
  onReport(listener: (report: RuntimeReport) => void): () => void;
  /** Look at the apps repository now (Berth just committed) instead of at the next poll. */
  kick(): void;
  /** What the runtime needs and lacks (python3, FastAPI, a kubeconfig), with the command that fixes it. */
  problem(): string | undefined;
  start(): Promise<void>;
  stop(deadlineMs: number): Promise<void>;
}

/** The runtime of a Berth that runs nothing and reads no cluster: Git is all there is. */
export function noRuntime(reason: string): RuntimePort {
  return {
    kind: 'none',
    status: async () => undefined,
    glance: async () => undefined,
    events: async () => [],
    logs: async () => [],
    async *followLogs() {},
    onReport: () => () => undefined,
    kick: () => undefined,
    problem: () => reason,
    start: async () => undefined,
    stop: async () => undefined,
  };
}
