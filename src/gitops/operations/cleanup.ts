import { appDir } from '../../domain/layout.js';
import { parseAppKey, type AppRef } from '../../domain/names.js';
import type { PlanContext } from '../context.js';
import type { FleetView } from '../fleet-index.js';
import type { TreeView } from '../../ports/git.js';
import type { Operation } from '../operation.js';
import { StagedTree } from '../staged-tree.js';
import { asleep, stageDelete } from './lifecycle.js';
import { appKeys, stageRerender } from './rerender.js';

export interface CleanupPolicy {
  /** Awake apps with no activity for this long are put to sleep. */
  readonly sleepAfterHours: number;
  /** Apps asleep for this long are deleted. */
  readonly deleteAfterHours: number;
}

export const DEFAULT_CLEANUP_POLICY: CleanupPolicy = { sleepAfterHours: 24, deleteAfterHours: 7 * 24 };

/** An app as cleanup saw it: the folder's tree id at planning time. */
export interface CleanupCandidate extends AppRef {
  readonly folder: string;
}

export interface CleanupPlan {
  readonly sleep: readonly CleanupCandidate[];
  readonly delete: readonly CleanupCandidate[];
}

/**
 * Which apps are inactive. `lastActivity` maps `tenant/app` to the last
 * deploy, edit or activity ping. An app with no record is left alone: the
 * original platform deleted apps in use because it guessed; Berth does not.
 * The store is asked first and only inactive apps are looked up, in the
 * fleet index rather than by reading their berth.yaml, so the cost follows
 * the inactive apps, not the fleet.
 */
export async function planCleanup(
  fleet: FleetView,
  lastActivity: ReadonlyMap<string, Date>,
  now: Date,
  policy: CleanupPolicy = DEFAULT_CLEANUP_POLICY,
): Promise<CleanupPlan> {
  const hour = 3_600_000;
  const sleep: CleanupCandidate[] = [];
  const remove: CleanupCandidate[] = [];
  for (const [key, active] of lastActivity) {
    if (now.getTime() - active.getTime() < policy.sleepAfterHours * hour) continue;
    const ref = refOf(key);
    const folder = ref && (await fleet.tree.oidAt(appDir(ref)));
    if (!ref || !folder) continue;
    const state = fleet.entry(ref) ?? { replicas: 1, asleepSince: undefined, unreadable: undefined };
    if (state.unreadable) continue;
    if (state.replicas > 0) {
      sleep.push({ ...ref, folder });
      continue;
    }
    const since = state.asleepSince ? new Date(state.asleepSince) : undefined;
    // An app that was active after it fell asleep (woken by a deploy since) is not a long sleeper.
    if (since && !Number.isNaN(since.getTime()) && since >= active && now.getTime() - since.getTime() >= policy.deleteAfterHours * hour) {
      remove.push({ ...ref, folder });
    }
  }
  return { sleep: sleep.sort(byTenantThenApp), delete: remove.sort(byTenantThenApp) };
}

function byTenantThenApp(a: AppRef, b: AppRef): number {
  return a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.app < b.app ? -1 : a.app > b.app ? 1 : 0;
}

function refOf(key: string): AppRef | undefined {
  try {
    return parseAppKey(key);
  } catch {
    return undefined;
  }
}

/** The sleep half of a cleanup run: one commit. */
export function cleanupSleepOperation(apps: readonly CleanupCandidate[], now: Date, ctx: PlanContext): Operation {
  return {
    action: 'cleanup',
    apps: appKeys(apps),
    subject: `cleanup: sleep ${apps.length} inactive app(s)`,
    async plan(tree) {
      const staged = new StagedTree(tree);
      await stageRerender(staged, await unchangedSince(tree, apps), ctx, (spec) => asleep(spec, now));
      return staged.changes();
    },
  };
}

/** The delete half of a cleanup run: a separate commit, so each half can be reverted alone. */
export function cleanupDeleteOperation(apps: readonly CleanupCandidate[], ctx: PlanContext): Operation {
  return {
    action: 'cleanup',
    apps: appKeys(apps),
    subject: `cleanup: delete ${apps.length} app(s) asleep too long`,
    async plan(tree) {
      const staged = new StagedTree(tree);
      await stageDelete(staged, await unchangedSince(tree, apps), ctx);
      return staged.changes();
    },
  };
}

/**
 * Cleanup acts only on apps exactly as it judged them: an app deployed or
 * woken between planning and committing is skipped, never put back to sleep
 * or deleted on stale evidence.
 */
async function unchangedSince(tree: TreeView, apps: readonly CleanupCandidate[]): Promise<AppRef[]> {
  const out: AppRef[] = [];
  for (const app of apps) {
    if ((await tree.oidAt(appDir(app))) === app.folder) out.push({ tenant: app.tenant, app: app.app });
  }
  return out;
}
