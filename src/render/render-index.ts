import { groupDir, groupFile, ROOT_KUSTOMIZATION, tenantFluxDir } from '../domain/layout.js';
import { assertName, tenantGroup } from '../domain/names.js';
import { InputError } from '../errors.js';
import { byCodeUnit } from './app-input.js';
import { tenantNamespace, tenantServiceAccount } from './app-view.js';
import { checkRendered } from './manifest-check.js';
import { fluxKustomizationSchema, indexKustomizationSchema, tenantNamespaceSchema } from './schemas-repo.js';
import { parseRenderSettings } from './settings-schema.js';
import type { RenderSettings } from './settings.js';
import type { Templates } from './templates.js';

/*
 * Index files are derived from lists (which groups, tenants and apps exist),
 * so callers recompute them from the tree after any change instead of
 * editing shared lists, which is what keeps concurrent deploys of different
 * apps from conflicting. Why groups: kustomize build time is superlinear in
 * what one build holds, so no single build may list thousands of objects;
 * tenants hash into 256 fixed groups (tenantGroup).
 */

const GROUP = /^[0-9a-f]{2}$/;

/** Sorted, without duplicates. */
function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(byCodeUnit);
}

function assertGroup(group: string): string {
  if (typeof group !== 'string' || !GROUP.test(group)) {
    throw new InputError(`group ${JSON.stringify(group)} must be two lower-case hex digits`, { group });
  }
  return group;
}

/**
 * The root kustomization.yaml: the Flux Kustomization file of each group,
 * sorted. Pass only non-empty groups; with none it is `resources: []`, which
 * still builds (to nothing).
 */
export function renderRoot(groups: Iterable<string>, templates: Templates): Map<string, string> {
  const files = sortedUnique([...groups].map(assertGroup)).map(groupFile);
  const text = templates.index['root-kustomization']({ groups: files });
  checkRendered(ROOT_KUSTOMIZATION, text, indexKustomizationSchema);
  return new Map([[ROOT_KUSTOMIZATION, text]]);
}

/**
 * A group's Flux Kustomization (`flux/groups/<gg>.yaml`, named
 * `berth-group-<gg>`, wait false) and its kustomization.yaml listing the
 * tenant folders. Every tenant must hash into `group`.
 */
export function renderGroup(group: string, tenants: Iterable<string>, settings: RenderSettings, templates: Templates): Map<string, string> {
  assertGroup(group);
  const checked = parseRenderSettings(settings);
  const members = sortedUnique(tenants);
  for (const tenant of members) {
    assertName('tenant', tenant);
    if (tenantGroup(tenant) !== group) throw new InputError(`tenant ${tenant} belongs to group ${tenantGroup(tenant)}, not ${group}`, { tenant, group });
  }
  const fluxPath = groupFile(group);
  const fluxText = templates.index['group-flux-kustomization']({
    group,
    name: `berth-group-${group}`,
    path: `./${groupDir(group)}`,
    flux: checked.flux,
  });
  checkRendered(fluxPath, fluxText, fluxKustomizationSchema);
  const listPath = `${groupDir(group)}/kustomization.yaml`;
  const listText = templates.index['group-kustomization']({ group, tenants: members });
  checkRendered(listPath, listText, indexKustomizationSchema);
  return new Map([
    [fluxPath, fluxText],
    [listPath, listText],
  ]);
}

/**
 * A tenant's `kustomization.yaml` (namespace.yaml, then `<app>.yaml` per app,
 * sorted) and `namespace.yaml` (the Namespace with the restricted Pod
 * Security level, Berth's read-only RoleBinding, and with tenantLockdown the
 * tenant's Flux service account and its admin RoleBinding).
 */
export function renderTenant(tenant: string, apps: Iterable<string>, settings: RenderSettings, templates: Templates): Map<string, string> {
  assertName('tenant', tenant);
  const checked = parseRenderSettings(settings);
  const appFiles = sortedUnique(apps).map((app) => `${assertName('app', app)}.yaml`);
  const dir = tenantFluxDir(tenant);
  const listPath = `${dir}/kustomization.yaml`;
  const listText = templates.index['tenant-kustomization']({ tenant, appFiles });
  checkRendered(listPath, listText, indexKustomizationSchema);
  const nsPath = `${dir}/namespace.yaml`;
  const nsText = templates.index['tenant-namespace']({
    tenant,
    namespace: tenantNamespace(tenant, checked),
    lockdown: checked.tenantLockdown,
    serviceAccount: tenantServiceAccount(tenant),
    flux: checked.flux,
  });
  checkRendered(nsPath, nsText, tenantNamespaceSchema);
  return new Map([
    [listPath, listText],
    [nsPath, nsText],
  ]);
}
