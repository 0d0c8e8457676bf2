import { createHash } from 'node:crypto';
import { InvalidNameError } from '../errors.js';

/**
 * Tenant and app names: DNS-1035 labels (a letter first) of at most 30
 * characters, without `--`. DNS-1035, not DNS-1123: an app's name is its
 * Service's name, and Kubernetes refuses a Service whose name starts with a
 * digit, which would fail the app's whole Flux Kustomization.
 */
export const MAX_NAME_LENGTH = 30;

const DNS_1035_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/**
 * Why `--` is forbidden: hosts are `<app>--<tenant>.<domain>` and Flux objects
 * `<tenant>--<app>`, which are unambiguous only if neither name contains `--`.
 */
export function nameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
  if (/^[0-9]/.test(name)) {
    return 'must start with a letter: it becomes a Kubernetes Service name, which must be a DNS-1035 label';
  }
  if (!DNS_1035_LABEL.test(name)) {
    return 'must be lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit';
  }
  if (name.includes('--')) return 'must not contain "--"';
  return undefined;
}

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
