import { ForbiddenError } from '../errors.js';
import type { Role } from '../store/types.js';
import type { Principal } from './principal.js';

/**
 * Authorization as pure functions of the principal, so every route asks the
 * same questions and tests can check the whole matrix without HTTP.
 * A user's tenant is their username: they own the apps under it.
 */

/** Roles each role also holds: admin can do what reviewers and operators do. */
const IMPLIED: Readonly<Record<Role, readonly Role[]>> = {
  editor: [],
  reviewer: [],
  operator: [],
  admin: ['reviewer', 'operator', 'editor'],
};

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.some((held) => held === role || IMPLIED[held].includes(role));
}

export function requireRole(principal: Principal, role: Role): void {
  if (!hasRole(principal, role)) throw new ForbiddenError(`this needs the ${role} role`);
}

/** Reading an app: its own tenant, or anyone who reviews, operates or administers the fleet. */
export function canReadApp(principal: Principal, tenant: string): boolean {
  return principal.tenant === tenant || hasRole(principal, 'reviewer') || hasRole(principal, 'operator');
}

/** Changing an app: its own tenant, or an admin. Reviewers and operators act through their own endpoints. */
export function canWriteApp(principal: Principal, tenant: string): boolean {
  return principal.tenant === tenant || hasRole(principal, 'admin');
}

/**
 * Throws ForbiddenError unless the principal may read or write `tenant`'s
 * apps. The message does not say whether the app exists.
 */
export function requireAppAccess(principal: Principal, tenant: string, access: 'read' | 'write'): void {
  const allowed = access === 'read' ? canReadApp(principal, tenant) : canWriteApp(principal, tenant);
  if (!allowed) throw new ForbiddenError(`you may not ${access} apps of tenant ${tenant}`);
}

/** Approving a change request: a reviewer who is not its author (four eyes). */
export function canApprove(principal: Principal, authorId: string): boolean {
  return hasRole(principal, 'reviewer') && principal.userId !== authorId;
}

export function requireApprover(principal: Principal, authorId: string): void {
  if (!hasRole(principal, 'reviewer')) throw new ForbiddenError('approving needs the reviewer role');
  if (principal.userId === authorId) throw new ForbiddenError('a change must be approved by someone other than its author');
}
