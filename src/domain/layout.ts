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
 *   tenants/<tenant>/<app>/...                     the app's manifests and code/
 */
export const ROOT_KUSTOMIZATION = 'kustomization.yaml';
export const RUNNER_COMPONENT_DIR = 'components/runner';
export const RUNNER_COMPONENT = `${RUNNER_COMPONENT_DIR}/kustomization.yaml`;
export const GROUPS_DIR = 'flux/groups';
export const TENANTS_DIR = 'tenants';
export const BERTH_YAML = 'berth.yaml';
export const SECRET_FILE = 'secret.sops.yaml';
export const CODE_DIR = 'code';

export function appDir(ref: AppRef): string {
  return `${TENANTS_DIR}/${ref.tenant}/${ref.app}`;
}

export function tenantDir(tenant: string): string {
  return `${TENANTS_DIR}/${tenant}`;
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
