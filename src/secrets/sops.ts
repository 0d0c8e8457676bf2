import { Document, Scalar } from 'yaml';
import { z } from 'zod';

import { ENV_NAME } from '../domain/app-spec.js';
import { InputError } from '../errors.js';
import { appSecretName, tenantNamespace, type RenderSettings } from '../render/index.js';
import { assertAgeRecipients, encryptDataKeyForRecipients } from './age-recipients.js';
import { computeSopsMac, createSopsDataKey, encryptSopsString, formatSopsTimestamp, sopsPathAad } from './sops-cipher.js';

/*
 * Writes what `sops --encrypt --age <r1>,<r2> --encrypted-regex '^(data|stringData)$'`
 * writes for a Secret manifest, so Flux's kustomize-controller (which links the
 * real sops packages) decrypts it, and `sops --decrypt` on the committed file
 * verifies its MAC. Flux itself skips the MAC check by default because
 * kustomize adds labels to every resource (the app kustomization does), so
 * the MAC protects the file in Git, not the built object. Metadata stays
 * readable for reviewers; only the values under stringData are encrypted.
 */

/** The encrypted_regex Flux-style Secrets use: values only, names readable. */
export const SOPS_ENCRYPTED_REGEX = '^(data|stringData)$';
/** The sops release whose file format this writes (age + encrypted_regex, no empty key groups). */
export const SOPS_FORMAT_VERSION = '3.9.4';
/** Same limit as an app's env values. */
const MAX_VALUE_BYTES = 4096;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const secretManifestInput = z.object({
  name: z.string().regex(DNS_LABEL, 'must be a DNS-1123 label'),
  namespace: z.string().regex(DNS_LABEL, 'must be a DNS-1123 label'),
  values: z.record(
    z.string().regex(ENV_NAME, 'env names are [A-Z_][A-Z0-9_]*'),
    z.string().refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_VALUE_BYTES, {
      message: `values are at most ${MAX_VALUE_BYTES} bytes`,
    }),
  ),
  recipients: z.array(z.string()),
  now: z.date().optional(),
});

/** Input of {@link encryptSecretManifest}. */
export type SecretManifestInput = z.input<typeof secretManifestInput>;

/**
 * Encrypts a Kubernetes Secret (`type: Opaque`, values under `stringData`)
 * into a sops YAML document for the given age recipients: a fresh data key
 * per call, AES-256-GCM per value bound to its key path, the data key
 * age-encrypted (armored) to each recipient, and the encrypted MAC over every
 * value in document order. Throws InputError on bad names, values or recipients.
 */
export async function encryptSecretManifest(input: SecretManifestInput): Promise<string> {
  const parsed = secretManifestInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') ?? '';
    throw new InputError(`secret manifest ${where}: ${issue?.message ?? 'invalid'}`, { path: where });
  }
  const { name, namespace, values } = parsed.data;
  const recipients = assertAgeRecipients(parsed.data.recipients);
  const lastModified = formatSopsTimestamp(parsed.data.now ?? new Date());
  const dataKey = createSopsDataKey();
  try {
    const names = Object.keys(values).sort();
    // Document order, which is also the MAC's order.
    const plainLeaves: Array<[string[], string]> = [
      [['apiVersion'], 'v1'],
      [['kind'], 'Secret'],
      [['metadata', 'name'], name],
      [['metadata', 'namespace'], namespace],
      [['type'], 'Opaque'],
      ...names.map((key): [string[], string] => [['stringData', key], values[key] ?? '']),
    ];
    const mac = computeSopsMac(plainLeaves.map(([, value]) => Buffer.from(value, 'utf8')));
    const stringData = Object.fromEntries(names.map((key) => [key, encryptSopsString(values[key] ?? '', dataKey, sopsPathAad(['stringData', key]))]));
    const age = await encryptDataKeyForRecipients(dataKey, recipients);
    return formatSopsYaml({
      manifest: { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', stringData },
      sops: {
        age: age.map((entry) => ({ recipient: entry.recipient, enc: entry.enc })),
        lastmodified: lastModified,
        mac: encryptSopsString(mac, dataKey, lastModified),
        encrypted_regex: SOPS_ENCRYPTED_REGEX,
        version: SOPS_FORMAT_VERSION,
      },
    });
  } finally {
    dataKey.fill(0);
  }
}

/** Input of {@link encryptAppSecret}: the app's names are derived, not passed. */
export interface AppSecretInput {
  readonly ref: { readonly tenant: string; readonly app: string };
  readonly settings: RenderSettings;
  readonly values: Record<string, string>;
  readonly recipients: readonly string[];
  readonly now?: Date;
}

/**
 * The app's `secret.sops.yaml`: Secret `<app>-env` in the tenant's namespace,
 * named exactly as the rendered Deployment refers to it.
 */
export function encryptAppSecret(input: AppSecretInput): Promise<string> {
  return encryptSecretManifest({
    name: appSecretName(input.ref),
    namespace: tenantNamespace(input.ref.tenant, input.settings),
    values: input.values,
    recipients: [...input.recipients],
    ...(input.now ? { now: input.now } : {}),
  });
}

function formatSopsYaml(content: { manifest: object; sops: Record<string, unknown> }): string {
  const doc = new Document({ ...content.manifest, sops: content.sops });
  // sops quotes the timestamp; unquoted, some YAML 1.1 readers make it a date.
  const lastModified = doc.getIn(['sops', 'lastmodified'], true);
  if (lastModified instanceof Scalar) lastModified.type = Scalar.QUOTE_DOUBLE;
  // sops writes with yaml.v3 at indent 4 with indented sequences; no folding of long ENC[] lines.
  return doc.toString({ indent: 4, indentSeq: true, lineWidth: 0, minContentWidth: 0 });
}
