import { createHash } from 'node:crypto';
import { InvalidNameError } from '../errors.js';

export { MAX_NAME_LENGTH, nameProblem } from './name-rule.js';
import { nameProblem } from './name-rule.js';

export function isValidName(name: string): boolean {
  return nameProblem(name) === undefined;
}

export function assertName(kind: 'tenant' | 'app', name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new InvalidNameError(`${kind} name ${JSON.stringify(name)} ${problem}`, { [kind]: name });
  return name;
}

export interface AppRef {
  readonly tenant: string;
  readonly app: string;
}

export function appRef(tenant: string, app: string): AppRef {
  return { tenant: assertName('tenant', tenant), app: assertName('app', app) };
}

/** `alice/todo`, as used in trailers and API paths. */
export function appKey(ref: AppRef): string {
  return `${ref.tenant}/${ref.app}`;
}

export function parseAppKey(key: string): AppRef {
  const parts = key.split('/');
  if (parts.length !== 2) throw new InvalidNameError(`app ${JSON.stringify(key)} must be "tenant/app"`);
  return appRef(parts[0] ?? '', parts[1] ?? '');
}

/** Number of Flux groups tenants are hashed into; changing it would move every app, so it is fixed. */
export const GROUP_COUNT = 256;

/**
 * The Flux group a tenant belongs to. Stable for ever: moving an app's Flux
 * Kustomization to another parent would prune and recreate its workload.
 */
export function tenantGroup(tenant: string): string {
  const digest = createHash('sha256').update(tenant).digest();
  return (digest[0] ?? 0).toString(16).padStart(2, '0');
}

/** Name of a tenant's MongoDB database (when Berth provisions one per tenant). */
export function tenantDatabaseName(tenant: string): string {
  return `user_${assertName('tenant', tenant)}`;
}

/** Name of the tenant's MongoDB user (defined in the tenant's own database). */
export function tenantDatabaseUser(tenant: string): string {
  return `berth_${assertName('tenant', tenant)}`;
}
