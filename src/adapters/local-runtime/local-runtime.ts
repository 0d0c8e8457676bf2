import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import type { LogLine, RuntimeAppStatus, RuntimePort, RuntimeReport } from '../../services/runtime-port.js';
import { appDir } from '../../domain/layout.js';
import { listAppFolders } from '../../gitops/app-tree.js';
import { appKey, type AppRef } from '../../domain/names.js';
import type { GitPort } from '../../ports/git.js';
import { AppFolderError, readAppRunSpec, type AppRunSpec } from './app-folder.js';
import { AppSupervisor, type DesiredApp } from './app-supervisor.js';
import { followRing } from './log-buffer.js';
import { stopOrphanRunners } from './orphans.js';
import { checkPython } from './python-check.js';
import { RunnerProcess } from './runner-process.js';

export interface LocalRuntimeOptions {
  readonly git: Pick<GitPort, 'head' | 'tree' | 'log'>;
  readonly branch: string;
  readonly dataDir: string;
  readonly python: string;
  /** runner/entrypoint.py of this package. */
  readonly entrypointScript: string;
  readonly maxApps: number;
  /** How often the branch is read for commits made outside Berth. */
  readonly pollMs: number;
  readonly ageIdentity?: string;
  readonly logger: Logger;
  /** How long a runner may take to answer /ready; the runner gives a slow first import 60 s in a cluster. */
  readonly readyTimeoutMs?: number;
  readonly memoryCheckMs?: number;
}

/** The local runtime: the runtime port plus what the app proxy needs. */
export interface LocalRuntime extends RuntimePort {
  readonly kind: 'local';
  /** Where to send a request for this app, starting it if it is idle. */
  proxyTarget(app: AppRef, waitMs: number): Promise<{ port: number } | { state: 'asleep' | 'failed' | 'absent'; message: string }>;
  /** Process ids of the runners now running (tests check none is left behind). */
  pids(): number[];
}

/**
 * Berth playing the part of Flux and the kubelet for the embedded default:
 * follows the apps repository's branch, and runs every app folder as
 * committed, one runner process per app on 127.0.0.1.
 */
export function createLocalRuntime(options: LocalRuntimeOptions): LocalRuntime {
  const { git, logger } = options;
  const runtimeDir = join(resolve(options.dataDir), 'runtime');
  // The mark on every runner this DATA_DIR's Berth starts (see orphans.ts).
  const owner = createHash('sha256').update(resolve(options.dataDir)).digest('hex').slice(0, 24);
  const apps = new Map<string, AppSupervisor>();
  const listeners = new Set<(report: RuntimeReport) => void>();
  let problem: string | undefined;
  let lastHead: string | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let memoryTimer: NodeJS.Timeout | undefined;
  let reconciling: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let generation = 0;
  /** Berth committed: confirm the settled apps at the head (see RuntimeReport.settled). */
  let sweepRequested = false;
  let removedSinceSweep: AppRef[] = [];

  const context = {
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
    problem: () => problem,
    report(report: RuntimeReport) {
      for (const listener of listeners) listener(report);
    },
    async launch(ref: AppRef, spec: AppRunSpec, onLine: (line: LogLine) => void) {
      generation += 1;
      const codeDir = join(runtimeDir, 'apps', `${ref.tenant}--${ref.app}`, String(generation));
      await materialise(codeDir, spec.files);
      const process = await RunnerProcess.launch({
        python: options.python,
        entrypointScript: options.entrypointScript,
        codeDir,
        entrypoint: spec.entrypoint,
        env: spec.env,
        owner,
        onLine,
      });
      return { process, codeDir };
    },
    discard: (codeDir: string) => rm(codeDir, { recursive: true, force: true }),
    async makeRoom(starting: AppSupervisor) {
      const running = [...apps.values()].filter((a) => a !== starting && a.hasProcess);
      if (running.length < options.maxApps) return;
      // The least recently used go to sleep first.
      running.sort((a, b) => a.lastUsedAt - b.lastUsedAt);
      await Promise.all(running.slice(0, running.length - options.maxApps + 1).map((a) => a.sleepIdle()));
    },
  };

  /** The desired state of every app folder at `head`; only folders whose tree id changed are read again. */
  async function reconcile(head: string | undefined): Promise<void> {
    const tree = await git.tree(head);
    const seen = new Set<string>();
    let budget = options.maxApps - [...apps.values()].filter((a) => a.hasProcess).length;
    for (const { ref, oid } of await listAppFolders(tree)) {
      const key = appKey(ref);
      seen.add(key);
      const existing = apps.get(key);
      if (existing?.desiredKey === oid) continue;
      const desired = await readDesired(tree, ref, oid, head);
      const supervisor = existing ?? new AppSupervisor(ref, context);
      apps.set(key, supervisor);
      // At start-up with more apps than the limit, the rest wait for their first request.
      const startNow = supervisor.hasProcess || budget > 0;
      if (!supervisor.hasProcess && startNow && desired.spec?.replicas !== 0) budget -= 1;
      supervisor.apply(desired, startNow);
    }
    for (const [key, supervisor] of apps) {
      if (seen.has(key)) continue;
      apps.delete(key);
      removedSinceSweep.push(supervisor.ref);
      void supervisor.remove('the app folder was removed from the branch');
    }
  }

  async function readDesired(tree: Awaited<ReturnType<GitPort['tree']>>, ref: AppRef, oid: string, head: string | undefined): Promise<DesiredApp> {
    const [latest] = await git.log(options.branch, { path: appDir(ref), limit: 1 });
    const commit = latest?.sha ?? head ?? '';
    try {
      return { commit, key: oid, spec: await readAppRunSpec(tree, ref, options.ageIdentity) };
    } catch (error) {
      if (!(error instanceof AppFolderError)) throw error;
      return { commit, key: oid, error: error.message };
    }
  }

  /** One reconcile at a time; a kick during one runs another right after it. */
  function follow(): Promise<void> {
    if (reconciling) {
      again = true;
      return reconciling;
    }
    reconciling = (async () => {
      do {
        again = false;
        try {
          const head = await git.head(options.branch);
          if (head !== lastHead && !stopped) {
            await reconcile(head);
            lastHead = head;
          }
          if (sweepRequested && head) {
            sweepRequested = false;
            sweep(head);
          }
        } catch (err) {
          logger.error({ err }, 'local runtime: reading the apps repository failed; trying again at the next poll');
        }
      } while (again && !stopped);
    })().finally(() => (reconciling = undefined));
    return reconciling;
  }

  /** Deployments that changed nothing, and deletes, have no process to wait for: they are done at the head. */
  function sweep(head: string): void {
    const at = new Date().toISOString();
    const settled = [...apps.values()].filter((a) => a.isSettled).map((a) => ({ app: a.ref, message: 'running as committed' }));
    const removed = removedSinceSweep.map((app) => ({ app, message: 'stopped: the app was removed' }));
    removedSinceSweep = [];
    for (const { app, message } of [...settled, ...removed]) context.report({ app, commit: head, outcome: 'ready', message, at, settled: true });
  }

  async function watchMemory(): Promise<void> {
    for (const supervisor of apps.values()) {
      const process = supervisor.runningProcess;
      const limit = supervisor.memoryLimitBytes;
      if (!process || !limit) continue;
      const rss = await process.residentBytes();
      if (rss !== undefined && rss > limit) {
        supervisor.events.push({
          at: new Date().toISOString(),
          type: 'Warning',
          reason: 'OOMKilled',
          message: `${mib(rss)} MiB resident, over its limit of ${mib(limit)} MiB`,
          source: 'local-runtime',
        });
        process.kill();
      }
    }
  }

  function schedulePoll(): void {
    pollTimer = setTimeout(() => {
      void follow().finally(() => {
        if (!stopped) schedulePoll();
      });
    }, options.pollMs);
    pollTimer.unref();
  }

  const supervisorOf = (app: AppRef) => apps.get(appKey(app));

  function statusOf(app: AppRef): RuntimeAppStatus | undefined {
    const supervisor = supervisorOf(app);
    if (!supervisor) return undefined;
    const status = supervisor.status();
    return problem && status.phase !== 'asleep' ? { ...status, phase: 'failed', ready: false, message: problem } : status;
  }

  return {
    kind: 'local',
    status: async (app) => statusOf(app),
    glance: async (app) => statusOf(app),
    events: async (app) => supervisorOf(app)?.events.tail(200) ?? [],
    logs: async (app, query) => supervisorOf(app)?.logs.tail(query.tail) ?? [],
    async *followLogs(app, query, signal) {
      const supervisor = supervisorOf(app);
      if (supervisor) yield* followRing(supervisor.logs, query.tail, signal);
    },
    onReport(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    kick() {
      sweepRequested = true;
      void follow();
    },
    problem: () => problem,
    async proxyTarget(app, waitMs) {
      const supervisor = supervisorOf(app);
      if (!supervisor) return { state: 'absent', message: `${appKey(app)} is not deployed` };
      return supervisor.acquire(waitMs);
    },
    pids: () => [...apps.values()].flatMap((a) => (a.runningProcess?.pid ? [a.runningProcess.pid] : [])),

    async start() {
      const orphans = await stopOrphanRunners(owner);
      if (orphans.length > 0) logger.warn({ pids: orphans }, `local runtime: stopped ${orphans.length} runner(s) a previous Berth left behind`);
      await rm(join(runtimeDir, 'apps'), { recursive: true, force: true });
      problem = await checkPython(options.python);
      if (problem) logger.error(problem);
      await follow();
      schedulePoll();
      memoryTimer = setInterval(() => void watchMemory(), options.memoryCheckMs ?? 2_000);
      memoryTimer.unref();
      logger.info({ apps: apps.size, python: options.python }, 'local runtime: following the apps repository');
    },

    async stop() {
      stopped = true;
      if (pollTimer) clearTimeout(pollTimer);
      if (memoryTimer) clearInterval(memoryTimer);
      await reconciling;
      await Promise.all([...apps.values()].map((a) => a.remove('Berth is shutting down')));
      apps.clear();
    },
  };
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/** Writes code/ as committed; paths come from Git, so one that would leave the folder is refused. */
async function materialise(codeDir: string, files: ReadonlyMap<string, string>): Promise<void> {
  await rm(codeDir, { recursive: true, force: true });
  await mkdir(codeDir, { recursive: true, mode: 0o700 });
  for (const [path, content] of files) {
    const target = resolve(codeDir, path);
    if (!target.startsWith(codeDir + sep)) throw new AppFolderError(`code path ${JSON.stringify(path)} leaves the code folder`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}
