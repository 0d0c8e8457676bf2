import type { AppSpec } from '../../domain/app-spec.js';
import { appKey, type AppRef } from '../../domain/names.js';
import { NotFoundError } from '../../errors.js';
import { TEMPLATE_VERSION } from '../../render/index.js';
import { readAppSpec, stageApp } from '../app-tree.js';
import type { PlanContext } from '../context.js';
import type { StagedTree } from '../staged-tree.js';

/**
 * Re-renders existing apps after changing their spec: sleep, wake, runner
 * pins and template upgrades are all "same app, one field different", so
 * they share this instead of editing YAML in place. Re-rendering also moves
 * the app to the current template version.
 */
export async function stageRerender(staged: StagedTree, refs: readonly AppRef[], ctx: PlanContext, change: (spec: AppSpec) => AppSpec): Promise<void> {
  const missing: string[] = [];
  for (const ref of refs) {
    const current = await readAppSpec(staged, ref);
    if (!current) {
      missing.push(appKey(ref));
      continue;
    }
    const next = { ...change(current), templateVersion: TEMPLATE_VERSION };
    await stageApp(staged, next, ctx, { kind: 'keep' });
  }
  if (missing.length > 0) throw new NotFoundError(`no such app: ${missing.join(', ')}`, { apps: missing });
}

/** Sorted, de-duplicated `tenant/app` keys for trailers. */
export function appKeys(refs: readonly AppRef[]): string[] {
  return [...new Set(refs.map(appKey))].sort();
}

/** "alice/todo" for one app, "3 apps" for more, for commit subjects. */
export function describeApps(refs: readonly AppRef[]): string {
  const keys = appKeys(refs);
  return keys.length === 1 ? (keys[0] ?? '') : `${keys.length} apps`;
}
