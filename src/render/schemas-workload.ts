import { z } from 'zod';
import { ENV_NAME } from '../domain/app-spec.js';

/*
 * Schemas of the workload manifests exactly as templates/app renders them
 * (before kustomize adds namespace, labels and the image digest). They are
 * strict, and they pin the security-relevant values to literals, so they
 * double as a policy check: a template edit that dropped `runAsNonRoot` or
 * added a key a value smuggled in fails here, before a commit.
 */

/** A DNS-1123 label: object names, namespaces. */
export const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
/** Labels or selector labels: string keys to string values. */
export const labelMap = z.record(z.string().min(1), z.string());
const port = z.number().int().min(1).max(65535);
const named = z.strictObject({ name: dnsLabel });
const seccomp = z.strictObject({ type: z.literal('RuntimeDefault') });

const envVar = z.union([
  z.strictObject({ name: z.string().regex(ENV_NAME), value: z.string() }),
  z.strictObject({
    name: z.string().regex(ENV_NAME),
    valueFrom: z.strictObject({ secretKeyRef: z.strictObject({ name: dnsLabel, key: z.string().regex(ENV_NAME) }) }),
  }),
]);

const probe = z.strictObject({
  httpGet: z.strictObject({ path: z.string().startsWith('/'), port: z.literal('http') }),
  periodSeconds: z.number().int().positive(),
  timeoutSeconds: z.number().int().positive(),
  failureThreshold: z.number().int().positive(),
});

const resources = z.strictObject({ cpu: z.string(), memory: z.string() });

const container = z.strictObject({
  name: z.literal('app'),
  // The runner Component (or the app's own `images:` entry) replaces it with a digest.
  image: z.literal('berth-runner'),
  imagePullPolicy: z.literal('IfNotPresent'),
  ports: z.tuple([z.strictObject({ name: z.literal('http'), containerPort: port, protocol: z.literal('TCP') })]),
  env: z.array(envVar).min(3),
  startupProbe: probe,
  livenessProbe: probe,
  readinessProbe: probe,
  resources: z.strictObject({ requests: resources, limits: resources }),
  securityContext: z.strictObject({
    runAsNonRoot: z.literal(true),
    runAsUser: z.literal(10001),
    runAsGroup: z.literal(10001),
    readOnlyRootFilesystem: z.literal(true),
    allowPrivilegeEscalation: z.literal(false),
    privileged: z.literal(false),
    capabilities: z.strictObject({ drop: z.tuple([z.literal('ALL')]) }),
    seccompProfile: seccomp,
  }),
  volumeMounts: z.tuple([
    z.strictObject({ name: z.literal('code'), mountPath: z.literal('/code'), readOnly: z.literal(true) }),
    z.strictObject({ name: z.literal('tmp'), mountPath: z.literal('/tmp') }),
  ]),
});

const codeVolume = z.strictObject({
  name: z.literal('code'),
  configMap: z.strictObject({
    name: dnsLabel,
    items: z.array(z.strictObject({ key: z.string().regex(/^[-._a-zA-Z0-9]+$/), path: z.string().min(1) })).min(1),
  }),
});

/** deployment.yaml: one container, the security context and probes fixed, volumes `code` and `tmp`. */
export const deploymentSchema = z.strictObject({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('Deployment'),
  metadata: named,
  spec: z.strictObject({
    replicas: z.union([z.literal(0), z.literal(1)]),
    revisionHistoryLimit: z.number().int().min(0).max(10),
    selector: z.strictObject({ matchLabels: labelMap }),
    template: z.strictObject({
      metadata: z.strictObject({ labels: labelMap }),
      spec: z.strictObject({
        runtimeClassName: z
          .string()
          .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/)
          .max(253)
          .optional(),
        automountServiceAccountToken: z.literal(false),
        enableServiceLinks: z.literal(false),
        terminationGracePeriodSeconds: z.number().int().min(1).max(60),
        securityContext: z.strictObject({
          runAsNonRoot: z.literal(true),
          runAsUser: z.literal(10001),
          runAsGroup: z.literal(10001),
          fsGroup: z.literal(10001),
          seccompProfile: seccomp,
        }),
        containers: z.tuple([container]),
        volumes: z.tuple([codeVolume, z.strictObject({ name: z.literal('tmp'), emptyDir: z.strictObject({ sizeLimit: z.string() }) })]),
      }),
    }),
  }),
});

/** service.yaml: ClusterIP, port 80 to the container port. */
export const serviceSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: named,
  spec: z.strictObject({
    type: z.literal('ClusterIP'),
    selector: labelMap,
    ports: z.tuple([z.strictObject({ name: z.literal('http'), port: z.literal(80), targetPort: port, protocol: z.literal('TCP') })]),
  }),
});

/** ingressroute.yaml: one Host rule on one entry point, TLS by resolver or the default store. */
export const ingressRouteSchema = z.strictObject({
  apiVersion: z.literal('traefik.io/v1alpha1'),
  kind: z.literal('IngressRoute'),
  metadata: named,
  spec: z.strictObject({
    entryPoints: z.tuple([z.string().min(1)]),
    routes: z.tuple([
      z.strictObject({
        kind: z.literal('Rule'),
        match: z.string().regex(/^Host\(`[a-z0-9.-]+`\)$/),
        services: z.tuple([z.strictObject({ name: dnsLabel, port: z.literal(80) })]),
      }),
    ]),
    tls: z.union([z.strictObject({ certResolver: z.string().min(1) }), z.strictObject({})]),
  }),
});

const namespaceSelector = z.strictObject({
  namespaceSelector: z.strictObject({ matchLabels: z.strictObject({ 'kubernetes.io/metadata.name': dnsLabel }) }),
});
const protocolPort = z.strictObject({ protocol: z.enum(['TCP', 'UDP']), port });

/** networkpolicy.yaml: in from Traefik only; out to kube-dns and the database namespace only. */
export const networkPolicySchema = z.strictObject({
  apiVersion: z.literal('networking.k8s.io/v1'),
  kind: z.literal('NetworkPolicy'),
  metadata: named,
  spec: z.strictObject({
    podSelector: z.strictObject({ matchLabels: labelMap }),
    policyTypes: z.tuple([z.literal('Ingress'), z.literal('Egress')]),
    ingress: z.tuple([z.strictObject({ from: z.tuple([namespaceSelector]), ports: z.tuple([protocolPort]) })]),
    egress: z.tuple([
      z.strictObject({
        to: z.tuple([
          namespaceSelector.extend({
            podSelector: z.strictObject({
              matchExpressions: z.tuple([z.strictObject({ key: z.literal('k8s-app'), operator: z.literal('In'), values: z.tuple([z.literal('kube-dns')]) })]),
            }),
          }),
        ]),
        ports: z.tuple([protocolPort, protocolPort]),
      }),
      z.strictObject({ to: z.tuple([namespaceSelector]) }),
    ]),
  }),
});
