import type { AppRef } from '../../domain/names.js';
import { TEMPLATE_VERSION } from '../../render/index.js';
import { listApps, readAppState } from '../app-tree.js';
import type { PlanContext } from '../context.js';
import type { TreeView } from '../../ports/git.js';
import type { Operation } from '../operation.js';
import { StagedTree } from '../staged-tree.js';
import { appKeys, stageRerender } from './rerender.js';

export interface OutdatedApp extends AppRef {
  readonly templateVersion: number;
}

/** Apps rendered with an older template version than this Berth's. */
export async function findOutdatedApps(tree: TreeView): Promise<OutdatedApp[]> {
  const out: OutdatedApp[] = [];
  for (const ref of await listApps(tree)) {
    const state = await readAppState(tree, ref);
    if (state && state.templateVersion < TEMPLATE_VERSION) out.push({ ...ref, templateVersion: state.templateVersion });
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
      const still = (await findOutdatedApps(tree)).filter((app) => outdated.some((ref) => ref.tenant === app.tenant && ref.app === app.app));
      await stageRerender(staged, still, ctx, (spec) => spec);
      return staged.changes();
    },
  };
}
