import { z } from 'zod';
import { DIGEST } from '../domain/app-spec.js';
import { dnsLabel, labelMap } from './schemas-workload.js';

/*
 * Schemas of the kustomize and Flux files Berth renders: an app's
 * kustomization.yaml, its Flux Kustomization, and the index files. Strict
 * like the workload schemas (see schemas-workload.ts).
 */

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must stay inside the folder');

/** An app folder's kustomization.yaml: either the fleet runner Component or its own `images:` pin. */
export const appKustomizationSchema = z
  .strictObject({
    apiVersion: z.literal('kustomize.config.k8s.io/v1beta1'),
    kind: z.literal('Kustomization'),
    namespace: dnsLabel,
    resources: z.array(relativePath).min(4),
    configMapGenerator: z.tuple([z.strictObject({ name: dnsLabel, files: z.array(z.string().regex(/^[-._a-zA-Z0-9]+=code\/[^=]+$/)).min(1) })]),
    components: z.tuple([z.string().regex(/^(\.\.\/)+components\/runner$/)]).optional(),
    images: z.tuple([z.strictObject({ name: z.literal('berth-runner'), newName: z.string().min(1), digest: z.string().regex(DIGEST) })]).optional(),
    labels: z.tuple([z.strictObject({ includeSelectors: z.literal(true), pairs: labelMap })]),
  })
  .refine((k) => (k.components === undefined) !== (k.images === undefined), 'exactly one of components and images');

/** The index kustomizations (root, group, tenant): a plain list of resources. */
export const indexKustomizationSchema = z.strictObject({
  apiVersion: z.literal('kustomize.config.k8s.io/v1beta1'),
  kind: z.literal('Kustomization'),
  resources: z.array(relativePath),
});

/** A Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) as Berth writes them. */
export const fluxKustomizationSchema = z.strictObject({
  apiVersion: z.literal('kustomize.toolkit.fluxcd.io/v1'),
  kind: z.literal('Kustomization'),
  metadata: z.strictObject({ name: dnsLabel, namespace: dnsLabel, labels: labelMap }),
  spec: z.strictObject({
    path: z.string().regex(/^\.\/[a-z0-9/-]+$/),
    sourceRef: z.strictObject({ kind: z.literal('GitRepository'), name: z.string().min(1) }),
    interval: z.string(),
    retryInterval: z.string(),
    timeout: z.string(),
    prune: z.literal(true),
    wait: z.boolean(),
    serviceAccountName: dnsLabel.optional(),
    decryption: z.strictObject({ provider: z.literal('sops'), secretRef: z.strictObject({ name: z.string().min(1) }) }).optional(),
  }),
});

const namespaced = z.strictObject({ name: dnsLabel, namespace: dnsLabel });
const roleBinding = z.strictObject({
  apiVersion: z.literal('rbac.authorization.k8s.io/v1'),
  kind: z.literal('RoleBinding'),
  metadata: namespaced,
  roleRef: z.strictObject({
    apiGroup: z.literal('rbac.authorization.k8s.io'),
    kind: z.literal('ClusterRole'),
    name: z.enum(['berth-reader', 'admin']),
  }),
  subjects: z.tuple([z.strictObject({ kind: z.literal('ServiceAccount'), name: dnsLabel, namespace: dnsLabel })]),
});

const namespace = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Namespace'),
  metadata: z.strictObject({
    name: dnsLabel,
    labels: labelMap.refine((l) => l['pod-security.kubernetes.io/enforce'] === 'restricted', 'must enforce restricted'),
  }),
});
const serviceAccount = z.strictObject({ apiVersion: z.literal('v1'), kind: z.literal('ServiceAccount'), metadata: namespaced });

/**
 * A tenant's namespace.yaml: one `v1 List` (kustomize expands it), so the
 * file is one YAML document like every other rendered file. Four items with
 * tenantLockdown, two without.
 */
export const tenantNamespaceSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('List'),
  items: z.union([z.tuple([namespace, roleBinding]), z.tuple([namespace, roleBinding, serviceAccount, roleBinding])]),
});
