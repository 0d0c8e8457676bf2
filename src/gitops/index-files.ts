import { groupDir, groupFile, GROUPS_DIR, ROOT_KUSTOMIZATION, tenantDir, tenantFluxDir } from '../domain/layout.js';
import { tenantGroup } from '../domain/names.js';
import { renderGroup, renderRoot, renderTenant } from '../render/index.js';
import type { PlanContext } from './context.js';
import type { StagedTree } from './staged-tree.js';

/**
 * Recomputes the index files (tenant, group and root kustomizations) for the
 * given tenants from what the staged tree now holds. Index files are derived
 * state: re-deriving them, rather than editing or reverting them line by line,
 * is what keeps concurrent deploys and reverts of different apps from
 * conflicting on a shared list.
 */
export async function syncIndex(staged: StagedTree, tenants: Iterable<string>, ctx: PlanContext): Promise<void> {
  const groups = new Set<string>();
  for (const tenant of new Set(tenants)) {
    groups.add(tenantGroup(tenant));
    const apps = await staged.listDirNames(tenantDir(tenant));
    const fluxDir = tenantFluxDir(tenant);
    if (apps.length === 0) {
      await staged.removeDir(fluxDir);
      continue;
    }
    for (const [path, content] of renderTenant(tenant, apps, ctx.settings, ctx.templates)) staged.write(path, content);
  }
  for (const group of groups) {
    const members = await staged.listDirNames(groupDir(group));
    if (members.length === 0) {
      staged.remove(groupFile(group));
      await staged.removeDir(groupDir(group));
      continue;
    }
    for (const [path, content] of renderGroup(group, members, ctx.settings, ctx.templates)) staged.write(path, content);
  }
  if (groups.size > 0) {
    const allGroups = await staged.listDirNames(GROUPS_DIR);
    for (const [path, content] of renderRoot(allGroups, ctx.templates)) {
      if (path !== ROOT_KUSTOMIZATION) throw new Error(`renderRoot wrote ${path}`);
      staged.write(path, content);
    }
  }
}
