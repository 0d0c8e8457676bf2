import { randomUUID } from 'node:crypto';
import { appKey } from '../domain/names.js';
import type { CleanupResult, GitOps } from '../gitops/gitops.js';
import type { Actor } from '../gitops/operation.js';
import { DEFAULT_CLEANUP_POLICY, type CleanupPolicy } from '../gitops/operations/cleanup.js';
import type { OutdatedApp } from '../gitops/operations/upgrade.js';
import type { Store } from '../ports/store.js';
import type { PeriodicTask } from './periodic.js';
import type { JobLogger } from './runner.js';

/** The actor periodic tasks commit as (`Berth-Actor: system`). */
export const SYSTEM_ACTOR: Actor = { id: 'system', username: 'berth', email: 'berth@localhost' };

const silent: JobLogger = { info() {}, warn() {}, error() {} };

/** The start of the `windowMs` window holding `at`, as a request id suffix: runs in one window share it. */
function windowId(at: Date, windowMs: number): string {
  return new Date(Math.floor(at.getTime() / windowMs) * windowMs).toISOString();
}

export interface CleanupTaskOptions {
  readonly store: Pick<Store, 'apps' | 'audit'>;
  readonly gitops: Pick<GitOps, 'cleanup'>;
  readonly policy?: CleanupPolicy;
  readonly actor?: Actor;
  readonly everyMs: number;
  /** Runs within one window share a Git request id; default everyMs. */
  readonly windowMs?: number;
  /** Plan and log only. */
  readonly dryRun?: boolean;
  readonly now?: () => Date;
  readonly logger?: JobLogger;
  readonly onResult?: (result: CleanupResult) => void;
}

/**
 * Puts inactive apps to sleep and deletes long sleepers. Activity comes from
 * the store (deploys, edits, pings); an app the store knows nothing about is
 * left alone. The request id is derived from the time window, so a run
 * repeated in the same window (another replica after a failover, a retry
 * after a crash between the sleep and the delete commit) finds its commits.
 */
export function cleanupTask(options: CleanupTaskOptions): PeriodicTask {
  const now = options.now ?? (() => new Date());
  const actor = options.actor ?? SYSTEM_ACTOR;
  const logger = options.logger ?? silent;
  return {
    name: 'cleanup',
    everyMs: options.everyMs,
    async run(signal) {
      const apps = await options.store.apps.list();
      const lastActivity = new Map(apps.map((app) => [appKey({ tenant: app.tenant, app: app.name }), new Date(app.lastActivityAt)]));
      signal.throwIfAborted();
      const at = now();
      const requestId = `cleanup-${windowId(at, options.windowMs ?? options.everyMs)}`;
      const call = { actor, requestId, ...(options.dryRun ? { dryRun: true } : {}) };
      const result = await options.gitops.cleanup(lastActivity, call, options.policy ?? DEFAULT_CLEANUP_POLICY);
      const sleep = result.plan.sleep.map(appKey);
      const remove = result.plan.delete.map(appKey);
      logger.info({ requestId, sleep, delete: remove, dryRun: options.dryRun ?? false }, 'cleanup of inactive apps');
      // Only new commits: a re-run in the same window that found its commits changed nothing.
      const commits = [result.sleep, result.delete].flatMap((half) => (half?.status === 'committed' ? [half.commit] : []));
      if (commits.length > 0) {
        await options.store.audit.append({
          id: randomUUID(),
          at: at.toISOString(),
          actor: actor.id,
          action: 'cleanup',
          requestId,
          outcome: 'ok',
          details: { sleep, delete: remove, commits },
        });
      }
      options.onResult?.(result);
      return result;
    },
  };
}

export interface UpgradeCheckOptions {
  readonly gitops: Pick<GitOps, 'upgrade'>;
  readonly everyMs: number;
  /** Opt in: also commit the re-render of outdated apps (one commit per window). */
  readonly autoUpgrade?: boolean;
  readonly actor?: Actor;
  readonly now?: () => Date;
  readonly logger?: JobLogger;
  /** For a gauge of apps on older templates. */
  readonly onOutdated?: (outdated: readonly OutdatedApp[]) => void;
}

/**
 * Finds apps rendered with older template versions (a dry run, no commit),
 * reports them, and with `autoUpgrade` re-renders them in one commit.
 */
export function upgradeCheckTask(options: UpgradeCheckOptions): PeriodicTask {
  const now = options.now ?? (() => new Date());
  const actor = options.actor ?? SYSTEM_ACTOR;
  const logger = options.logger ?? silent;
  return {
    name: 'upgrade-check',
    everyMs: options.everyMs,
    async run(signal) {
      const requestId = `upgrade-${windowId(now(), options.everyMs)}`;
      const { outdated } = await options.gitops.upgrade({ actor, requestId, dryRun: true });
      options.onOutdated?.(outdated);
      const apps = outdated.map(appKey);
      if (apps.length > 0) logger.warn({ outdated: apps }, 'apps on older template versions');
      if (!options.autoUpgrade || outdated.length === 0) return { outdated };
      signal.throwIfAborted();
      const upgraded = await options.gitops.upgrade({ actor, requestId });
      logger.info({ requestId, apps, result: upgraded.result?.status }, 'upgraded apps to the current templates');
      return upgraded;
    },
  };
}
