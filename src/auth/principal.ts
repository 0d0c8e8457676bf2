import { z } from 'zod';
import { isValidName } from '../domain/names.js';
import { ROLES, type Role, type User } from '../store/types.js';

/**
 * Who is making a request, as every route and authorization check sees it.
 * `tenant` is the username: a user owns the apps under their own name.
 */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly tenant: string;
  readonly roles: readonly Role[];
  readonly source: 'local' | 'oidc';
}

export const roleSchema = z.enum(ROLES);

/** A username that is also a valid tenant (DNS label, see src/domain/names). */
export const usernameSchema = z.string().refine(isValidName, 'must be a valid tenant name');

/** Everyone edits their own apps; `editor` is always present whatever else is granted. */
export function withEditor(roles: readonly Role[]): Role[] {
  const unique = new Set<Role>(['editor', ...roles]);
  return ROLES.filter((role) => unique.has(role));
}

/** The principal for a user record read from the store. */
export function principalOf(user: User, source: Principal['source']): Principal {
  return { userId: user.id, username: user.username, tenant: user.username, roles: withEditor(user.roles), source };
}

/** What the API returns about a user: never the password hash or external id. */
export interface PublicUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly roles: readonly Role[];
}

export function publicUser(user: User): PublicUser {
  return { id: user.id, username: user.username, email: user.email, roles: withEditor(user.roles) };
}
