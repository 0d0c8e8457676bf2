import { GROUP_NAME, GROUPS_DIR, ROOT_KUSTOMIZATION, TENANTS_DIR } from '../domain/layout.js';
import { isValidName, tenantGroup, type AppRef } from '../domain/names.js';

/**
 * The app a repo path belongs to: `tenants/<gg>/<t>/<a>/...` or the app's
 * Flux file `flux/groups/<gg>/<t>/<a>.yaml`. Undefined for shared files, and
 * for a tenant filed under a group it does not hash into.
 */
export function parseAppRefFromPath(path: string): AppRef | undefined {
  const parts = path.split('/');
  if (parts[0] === TENANTS_DIR && parts.length >= 5) return inGroup(parts[1], valid(parts[2], parts[3]));
  if (path.startsWith(`${GROUPS_DIR}/`) && parts.length === 5) {
    const file = parts[4] ?? '';
    if (file.endsWith('.yaml') && file !== 'kustomization.yaml' && file !== 'namespace.yaml') {
      return inGroup(parts[2], valid(parts[3], file.slice(0, -'.yaml'.length)));
    }
  }
  return undefined;
}

/** Files derived from the set of apps (see index-files.ts), re-rendered rather than edited. */
export function isIndexFile(path: string): boolean {
  if (path === ROOT_KUSTOMIZATION) return true;
  if (!path.startsWith(`${GROUPS_DIR}/`)) return false;
  return parseAppRefFromPath(path) === undefined;
}

function valid(tenant: string | undefined, app: string | undefined): AppRef | undefined {
  if (!tenant || !app || !isValidName(tenant) || !isValidName(app)) return undefined;
  return { tenant, app };
}

function inGroup(group: string | undefined, ref: AppRef | undefined): AppRef | undefined {
  return ref && group !== undefined && GROUP_NAME.test(group) && tenantGroup(ref.tenant) === group ? ref : undefined;
}

/** The tenant a path belongs to (app files, app and tenant Flux files), if any. */
export function tenantOfPath(path: string): string | undefined {
  const parts = path.split('/');
  const underGroup = parts[0] === TENANTS_DIR ? parts.length >= 4 : path.startsWith(`${GROUPS_DIR}/`) && parts.length >= 5;
  const [group, tenant] = parts[0] === TENANTS_DIR ? [parts[1], parts[2]] : [parts[2], parts[3]];
  if (!underGroup || !group || !tenant || !GROUP_NAME.test(group) || !isValidName(tenant)) return undefined;
  return tenantGroup(tenant) === group ? tenant : undefined;
}
