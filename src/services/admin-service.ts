import { requireRole } from '../auth/authorize.js';
import { publicUser, withEditor, type Principal } from '../auth/principal.js';
import { NotFoundError } from '../errors.js';
import type { Role } from '../store/types.js';
import { SETTINGS, type ServiceDeps } from './service-deps.js';

/** Admin calls: users, roles, tenant policies and the validator's import allow-list. */
export function createAdminService(deps: Pick<ServiceDeps, 'store' | 'now' | 'validator'>) {
  const { store } = deps;
  return {
    async users(principal: Principal) {
      requireRole(principal, 'admin');
      return (await store.users.list()).map(publicUser);
    },

    async setRoles(principal: Principal, username: string, roles: readonly Role[]) {
      requireRole(principal, 'admin');
      const user = await store.users.byUsername(username);
      if (!user) throw new NotFoundError(`user ${username} does not exist`);
      const updated = await store.users.setRoles(user.id, withEditor(roles));
      if (!updated) throw new NotFoundError(`user ${username} does not exist`);
      return publicUser(updated);
    },

    async setTenantPolicy(principal: Principal, tenant: string, mode: 'auto' | 'review') {
      requireRole(principal, 'admin');
      await store.settings.put(SETTINGS.tenantPolicy(tenant), { mode }, deps.now().toISOString());
      return { tenant, mode };
    },

    async allowedImports(principal: Principal) {
      requireRole(principal, 'admin');
      const stored = await store.settings.get<unknown>(SETTINGS.allowedImports);
      return Array.isArray(stored) ? stored.filter((s): s is string => typeof s === 'string') : [...deps.validator.defaultAllowedImports()];
    },

    async setAllowedImports(principal: Principal, modules: readonly string[]) {
      requireRole(principal, 'admin');
      await store.settings.put(SETTINGS.allowedImports, [...new Set(modules)].sort(), deps.now().toISOString());
      return [...new Set(modules)].sort();
    },
  };
}
