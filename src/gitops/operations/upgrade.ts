import type { AppRef } from '../../domain/names.js';
import { TEMPLATE_VERSION } from '../../render/index.js';
import { readAppState } from '../app-tree.js';
import type { PlanContext } from '../context.js';
import type { TreeView } from '../../ports/git.js';
import type { Operation } from '../operation.js';
import { StagedTree } from '../staged-tree.js';
import { appKeys, stageRerender } from './rerender.js';

export interface OutdatedApp extends AppRef {
  readonly templateVersion: number;
}

/** Of the given apps, those the tree holds on an older template version than this Berth's. */
export async function stillOutdated(tree: TreeView, refs: readonly AppRef[]): Promise<OutdatedApp[]> {
  const out: OutdatedApp[] = [];
  for (const ref of refs) {
    const state = await readAppState(tree, ref);
    if (state && state.templateVersion < TEMPLATE_VERSION) out.push({ tenant: ref.tenant, app: ref.app, templateVersion: state.templateVersion });
  }
  return out;
}

/**
 * Re-renders every app on an older template version, in one commit. The
 * original platform copied templates once and never upgraded them; here a
 * template change reaches every app as a reviewable diff.
 */
export function upgradeOperation(outdated: readonly AppRef[], ctx: PlanContext): Operation {
  return {
    action: 'upgrade',
    apps: appKeys(outdated),
    subject: `upgrade ${outdated.length} app(s) to template version ${TEMPLATE_VERSION}`,
    async plan(tree) {
      const staged = new StagedTree(tree);
      // Re-check against the tree being committed on: an app deployed
      // meanwhile is already current, one deleted meanwhile is skipped.
      const still = await stillOutdated(tree, outdated);
      await stageRerender(staged, still, ctx, (spec) => spec);
      return staged.changes();
    },
  };
}
