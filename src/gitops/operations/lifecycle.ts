import type { AppSpec } from '../../domain/app-spec.js';
import { appOwnedPaths } from '../../domain/layout.js';
import { appKey, type AppRef } from '../../domain/names.js';
import { InputError, NotFoundError } from '../../errors.js';
import { readAppSpec, unstageApp } from '../app-tree.js';
import type { PlanContext } from '../context.js';
import { syncIndex } from '../index-files.js';
import type { Operation } from '../operation.js';
import { StagedTree } from '../staged-tree.js';
import { appKeys, describeApps, stageRerender } from './rerender.js';

function requireApps(refs: readonly AppRef[]): void {
  if (refs.length === 0) throw new InputError('no apps given');
}

/** Stages the removal of apps and re-derives the index files that listed them. */
export async function stageDelete(staged: StagedTree, refs: readonly AppRef[], ctx: PlanContext): Promise<void> {
  for (const ref of refs) {
    if (!(await readAppSpec(staged, ref))) throw new NotFoundError(`no such app: ${appKey(ref)}`);
    await unstageApp(staged, ref);
  }
  await syncIndex(
    staged,
    refs.map((ref) => ref.tenant),
    ctx,
  );
}

/**
 * Delete removes the app folder and its Flux Kustomization file: the group
 * Kustomization then prunes that object and Flux garbage-collects the
 * workload. An emptied folder alone would never be pruned.
 */
export function deleteOperation(refs: readonly AppRef[], ctx: PlanContext): Operation {
  requireApps(refs);
  return {
    action: 'delete',
    apps: appKeys(refs),
    subject: `delete ${describeApps(refs)}`,
    guardPaths: refs.flatMap(appOwnedPaths),
    async plan(tree) {
      const staged = new StagedTree(tree);
      await stageDelete(staged, refs, ctx);
      return staged.changes();
    },
  };
}

export function asleep(spec: AppSpec, now: Date): AppSpec {
  if (spec.replicas === 0) return spec;
  return { ...spec, replicas: 0, asleepSince: now.toISOString() };
}

export function awake(spec: AppSpec): AppSpec {
  const { asleepSince: _asleepSince, ...rest } = spec;
  return { ...rest, replicas: 1 };
}

/** Sleep scales apps to zero replicas and records since when, so cleanup can later delete long sleepers. */
export function sleepOperation(refs: readonly AppRef[], now: Date, ctx: PlanContext): Operation {
  requireApps(refs);
  return rerenderOperation('sleep', refs, ctx, (spec) => asleep(spec, now));
}

export function wakeOperation(refs: readonly AppRef[], ctx: PlanContext): Operation {
  requireApps(refs);
  return rerenderOperation('wake', refs, ctx, awake);
}

export function rerenderOperation(
  action: 'sleep' | 'wake' | 'pin-runner' | 'upgrade',
  refs: readonly AppRef[],
  ctx: PlanContext,
  change: (spec: AppSpec) => AppSpec,
  subject = `${action} ${describeApps(refs)}`,
): Operation {
  return {
    action,
    apps: appKeys(refs),
    subject,
    async plan(tree) {
      const staged = new StagedTree(tree);
      await stageRerender(staged, refs, ctx, change);
      return staged.changes();
    },
  };
}
