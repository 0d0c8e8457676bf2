import { appDir, appFluxFile, appOwnedPaths } from '../../domain/layout.js';
import { appKey, appRef } from '../../domain/names.js';
import { NotFoundError } from '../../errors.js';
import type { PlanContext } from '../context.js';
import { syncIndex } from '../index-files.js';
import type { Operation } from '../operation.js';
import { StagedTree } from '../staged-tree.js';

/** What an app looked like at an earlier commit: read before planning, so planning stays pure. */
export interface AppSnapshot {
  readonly commit: string;
  /** Files of the app folder, relative to it. Empty: the app did not exist then. */
  readonly files: ReadonlyMap<string, string>;
  readonly fluxKustomization: string | undefined;
}

/**
 * Rollback = the app folder (and its Flux Kustomization) exactly as of an
 * earlier commit, as a new commit. Other apps are untouched, which is why
 * this is not a `git revert` of everything since.
 */
export function rollbackOperation(tenant: string, app: string, snapshot: AppSnapshot, ctx: PlanContext): Operation {
  const ref = appRef(tenant, app);
  if (snapshot.files.size === 0 || snapshot.fluxKustomization === undefined) {
    throw new NotFoundError(`${appKey(ref)} did not exist at ${snapshot.commit.slice(0, 12)}`, { commit: snapshot.commit });
  }
  const flux = snapshot.fluxKustomization;
  return {
    action: 'rollback',
    apps: [appKey(ref)],
    subject: `rollback ${appKey(ref)} to ${snapshot.commit.slice(0, 12)}`,
    guardPaths: appOwnedPaths(ref),
    async plan(tree) {
      const staged = new StagedTree(tree);
      await staged.replaceDir(appDir(ref), snapshot.files);
      staged.write(appFluxFile(ref), flux);
      await syncIndex(staged, [ref.tenant], ctx);
      return staged.changes();
    },
  };
}
