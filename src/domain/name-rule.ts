/*
 * The name rule alone, without Node imports, so the web UI bundles the very
 * function the server judges with (src/web/lib/rules.ts re-exports it).
 */

/**
 * Tenant and app names: DNS-1035 labels (a letter first) of at most 30
 * characters, without `--`. DNS-1035, not DNS-1123: an app's name is its
 * Service's name, and Kubernetes refuses a Service whose name starts with a
 * digit, which would fail the app's whole Flux Kustomization.
 */
export const MAX_NAME_LENGTH = 30;

const DNS_1035_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/** The same rule as one JSON-schema pattern, for the OpenAPI document (a letter first, no `--`). */
export const NAME_PATTERN = '^(?!.*--)[a-z]([a-z0-9-]*[a-z0-9])?$';

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
