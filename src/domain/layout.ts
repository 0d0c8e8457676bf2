import { tenantGroup, type AppRef } from './names.js';

/**
 * Where things live in the apps repository. Every path the code writes is
 * built here, so the layout has one definition.
 *
 *   kustomization.yaml                             root: one Flux Kustomization per group
 *   components/runner/kustomization.yaml           fleet-wide runner pin
 *   flux/groups/<gg>.yaml                          Flux Kustomization of group gg
 *   flux/groups/<gg>/kustomization.yaml            lists the group's tenants
 *   flux/groups/<gg>/<tenant>/kustomization.yaml   tenant namespace + its apps
 *   flux/groups/<gg>/<tenant>/namespace.yaml
 *   flux/groups/<gg>/<tenant>/<app>.yaml           Flux Kustomization of one app
 *   tenants/<gg>/<tenant>/<app>/...                the app's manifests and code/
 *
 * `<gg>` is the tenant's group (tenantGroup: a stable hash, 256 of them), the
 * same under flux/groups and tenants/. Why tenants/ is sharded too: every
 * commit rewrites each tree on the path to what it changed, so a flat
 * tenants/ with an entry per tenant made every deploy cost O(tenants) (3.3 MB
 * re-encoded and hashed per commit at 100,000 tenants). Sharded, the trees a
 * deploy rewrites hold 256 entries, or tenants/256.
 *
 * Repositories written before the sharding (tenants/<tenant>/<app>/) are
 * moved by `berth repo upgrade` (see gitops/operations/move-layout.ts).
 */
export const ROOT_KUSTOMIZATION = 'kustomization.yaml';
export const RUNNER_COMPONENT_DIR = 'components/runner';
export const RUNNER_COMPONENT = `${RUNNER_COMPONENT_DIR}/kustomization.yaml`;
export const GROUPS_DIR = 'flux/groups';
export const TENANTS_DIR = 'tenants';
export const BERTH_YAML = 'berth.yaml';
export const SECRET_FILE = 'secret.sops.yaml';
export const CODE_DIR = 'code';

/** A group's folder name: two lower-case hex digits. */
export const GROUP_NAME = /^[0-9a-f]{2}$/;

/** The shard of tenants/ that holds every tenant of one group. */
export function tenantShardDir(group: string): string {
  return `${TENANTS_DIR}/${group}`;
}

export function tenantDir(tenant: string): string {
  return `${tenantShardDir(tenantGroup(tenant))}/${tenant}`;
}

export function appDir(ref: AppRef): string {
  return `${tenantDir(ref.tenant)}/${ref.app}`;
}

/** Where an app lived before tenants/ was sharded; read only by the layout move. */
export function legacyAppDir(ref: AppRef): string {
  return `${TENANTS_DIR}/${ref.tenant}/${ref.app}`;
}

export function groupFile(group: string): string {
  return `${GROUPS_DIR}/${group}.yaml`;
}

export function groupDir(group: string): string {
  return `${GROUPS_DIR}/${group}`;
}

export function tenantFluxDir(tenant: string): string {
  return `${groupDir(tenantGroup(tenant))}/${tenant}`;
}

export function appFluxFile(ref: AppRef): string {
  return `${tenantFluxDir(ref.tenant)}/${ref.app}.yaml`;
}

/** Paths an app owns: a change to any of them since a caller's base is a conflict. */
export function appOwnedPaths(ref: AppRef): string[] {
  return [appDir(ref), appFluxFile(ref)];
}
