import { requireRole } from '../auth/authorize.js';
import { publicUser, withEditor, type Principal } from '../auth/principal.js';
import { createInvite, setSignupMode, signupMode, type SignupMode } from '../auth/signup-policy.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Role } from '../store/types.js';
import { SETTINGS, type ServiceDeps } from './service-deps.js';

/** Admin calls: users, roles, tenant policies and the validator's import allow-list. */
export function createAdminService(deps: Pick<ServiceDeps, 'store' | 'now' | 'validator'>) {
  const { store } = deps;
  return {
    async users(principal: Principal) {
      requireRole(principal, 'admin');
      return (await store.users.list()).filter((user) => !user.removedAt).map(publicUser);
    },

    /**
     * Removes an account: its tokens are refused from the next request on
     * and its sessions revoked; its apps stay (owned by the tenant) until
     * deleted, and its username is never given to someone else.
     */
    async removeUser(principal: Principal, username: string) {
      requireRole(principal, 'admin');
      const user = await store.users.byUsername(username);
      if (!user || user.removedAt) throw new NotFoundError(`user ${username} does not exist`);
      if (user.id === principal.userId) throw new ConflictError('you cannot remove your own account; another admin can');
      const at = deps.now().toISOString();
      const removed = await store.users.remove(user.id, at);
      await store.refreshTokens.revokeAllForUser(user.id, at);
      if (!removed) throw new NotFoundError(`user ${username} does not exist`);
      return publicUser(removed);
    },

    async signups(principal: Principal) {
      requireRole(principal, 'admin');
      return signupMode(store.settings);
    },

    async setSignups(principal: Principal, mode: SignupMode) {
      requireRole(principal, 'admin');
      await setSignupMode(store.settings, mode, deps.now());
      return mode;
    },

    async createInvite(principal: Principal, username?: string) {
      requireRole(principal, 'admin');
      if (username && (await store.users.byUsername(username))) throw new ConflictError(`username ${username} is taken`, { field: 'username' });
      return createInvite(store.settings, { createdBy: principal.userId, ...(username ? { username } : {}) }, deps.now());
    },

    async setRoles(principal: Principal, username: string, roles: readonly Role[]) {
      requireRole(principal, 'admin');
      const user = await store.users.byUsername(username);
      if (!user || user.removedAt) throw new NotFoundError(`user ${username} does not exist`);
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
