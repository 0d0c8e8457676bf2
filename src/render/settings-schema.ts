import { z } from 'zod';
import { InputError } from '../errors.js';
import type { RenderSettings } from './settings.js';

/*
 * Settings are cluster configuration, not user input, but they are pasted
 * into the same files (the host rule, namespace names), so the renderer
 * checks them as strictly as names: a backtick in appDomain would otherwise
 * rewrite the Traefik rule.
 */

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const dnsLabel = z.string().max(63).regex(DNS_LABEL, 'must be a DNS-1123 label');
const dnsSubdomain = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, 'must be a DNS-1123 subdomain');
/** Go durations as Flux parses them: `10m`, `1m30s`, `500ms`. */
const duration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, 'must be a Go duration such as 10m');
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, 'must be a Kubernetes quantity');
/** Traefik entry point and resolver names are identifiers from its static configuration. */
const traefikName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, "_" or "-"');
const resourceList = z.strictObject({ cpu: quantity, memory: quantity });

/** The zod schema of {@link RenderSettings}. */
export const renderSettingsSchema = z.strictObject({
  appDomain: dnsSubdomain,
  // A prefix of a namespace name: it may end with "-"; tenant names (30) must still fit in 63.
  tenantNamespacePrefix: z
    .string()
    .max(33)
    .regex(/^([a-z0-9][a-z0-9-]*)?$/, 'must be lower-case letters, digits and "-"'),
  ingress: z.strictObject({
    entryPoint: traefikName,
    traefikNamespace: dnsLabel,
    certResolver: traefikName.optional(),
  }),
  databaseNamespace: dnsLabel,
  flux: z.strictObject({
    namespace: dnsLabel,
    sourceName: dnsSubdomain,
    interval: duration,
    retryInterval: duration,
    timeout: duration,
    sopsSecretName: dnsSubdomain,
  }),
  tenantLockdown: z.boolean(),
  resources: z.strictObject({ requests: resourceList, limits: resourceList }),
  // The runner is non-root, so it cannot bind a privileged port.
  containerPort: z.number().int().min(1024).max(65535),
  // A RuntimeClass is a cluster object: its name is a DNS-1123 subdomain.
  runtimeClassName: dnsSubdomain.optional(),
  tenantRuntimeClasses: z.record(dnsLabel, dnsSubdomain).optional(),
});

/** Validates settings (e.g. in src/config.ts); throws InputError listing every problem. */
export function parseRenderSettings(value: unknown): RenderSettings {
  const result = renderSettingsSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new InputError(`invalid render settings: ${problems.join('; ')}`, { problems });
  }
  return result.data;
}
