import { appKey } from '../../domain/names.js';
import { InputError, RevertConflictError } from '../../errors.js';
import type { PlanContext } from '../context.js';
import type { PathChange } from '../../ports/git.js';
import { syncIndex } from '../index-files.js';
import type { Operation } from '../operation.js';
import { StagedTree } from '../staged-tree.js';
import { isIndexFile, parseAppRefFromPath, tenantOfPath } from '../paths.js';

export interface RevertTarget {
  readonly commit: string;
  readonly subject: string;
  /** What the commit changed against its first parent. */
  readonly changes: readonly PathChange[];
}

/**
 * `git revert` of one commit, path by path: a file goes back to its content
 * before the commit if it still holds what the commit wrote; a file changed
 * again since is a conflict, reported and never forced. Index files are not
 * reverted but re-derived from the apps left, so reverting one app's deploy
 * does not conflict with other apps added since.
 */
export function revertOperation(target: RevertTarget, ctx: PlanContext): Operation {
  if (target.changes.length === 0) throw new InputError(`commit ${target.commit.slice(0, 12)} changed nothing to revert`);
  const tenants = new Set<string>();
  const apps = new Set<string>();
  for (const change of target.changes) {
    const tenant = tenantOfPath(change.path);
    if (tenant) tenants.add(tenant);
    const ref = parseAppRefFromPath(change.path);
    if (ref) apps.add(appKey(ref));
  }
  return {
    action: 'revert',
    apps: [...apps].sort(),
    subject: `revert ${target.commit.slice(0, 12)}: ${target.subject}`,
    body: `This reverts commit ${target.commit}.`,
    async plan(tree) {
      const staged = new StagedTree(tree);
      const conflicts: string[] = [];
      for (const change of target.changes) {
        if (isIndexFile(change.path)) continue;
        const current = (await tree.readFile(change.path)) ?? null;
        if (current === change.before) continue;
        if (current !== change.after) {
          conflicts.push(change.path);
          continue;
        }
        if (change.before === null) staged.remove(change.path);
        else staged.write(change.path, change.before);
      }
      if (conflicts.length > 0) {
        throw new RevertConflictError(`cannot revert ${target.commit.slice(0, 12)}: ${conflicts.length} file(s) changed again since`, { paths: conflicts });
      }
      await syncIndex(staged, tenants, ctx);
      return staged.changes();
    },
  };
}
