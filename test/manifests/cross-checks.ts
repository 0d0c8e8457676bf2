import type { KubeObject } from '../render/support.js';

/*
 * What the published schemas cannot see: references between objects, Pod
 * Security "restricted", and name lengths. Each check takes the objects one
 * build (or one cluster overlay) produces and returns its problems, so the
 * planted-defect tests can call it on a broken copy.
 */

type Labels = Record<string, string>;
type Any = Record<string, unknown>;

interface PodTemplate {
  readonly owner: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly spec: Any;
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

const id = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const ns = (o: KubeObject) => o.metadata.namespace ?? '';
const get = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Any)[key as string] : undefined), value);
const list = (value: unknown): Any[] => (Array.isArray(value) ? (value as Any[]) : []);

function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  return objects
    .filter((o) => o.kind === 'Deployment')
    .map((o) => ({
      owner: id(o),
      namespace: ns(o),
      labels: (get(o.spec, 'template', 'metadata', 'labels') ?? {}) as Labels,
      spec: (get(o.spec, 'template', 'spec') ?? {}) as Any,
    }));
}

function matches(selector: Labels | undefined, labels: Labels): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** Deployment, Service, NetworkPolicy and PodDisruptionBudget selectors each select a pod template of their namespace. */
export function checkSelectors(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const pods = podTemplates(objects);
  for (const o of objects) {
    if (o.kind === 'Deployment') {
      const selector = get(o.spec, 'selector', 'matchLabels') as Labels | undefined;
      const labels = (get(o.spec, 'template', 'metadata', 'labels') ?? {}) as Labels;
      if (!selector || Object.keys(selector).length === 0) problems.push(`${id(o)}: no selector.matchLabels`);
      else if (!matches(selector, labels))
        problems.push(`${id(o)}: selector ${JSON.stringify(selector)} does not match its pod labels ${JSON.stringify(labels)}`);
      continue;
    }
    const selector =
      o.kind === 'Service'
        ? (get(o.spec, 'selector') as Labels | undefined)
        : o.kind === 'NetworkPolicy'
          ? (get(o.spec, 'podSelector', 'matchLabels') as Labels | undefined)
          : o.kind === 'PodDisruptionBudget'
            ? (get(o.spec, 'selector', 'matchLabels') as Labels | undefined)
            : undefined;
    if (selector === undefined) {
      if (o.kind === 'Service' || o.kind === 'PodDisruptionBudget') problems.push(`${id(o)}: selects no pods (no selector)`);
      continue;
    }
    if (!pods.some((p) => p.namespace === ns(o) && matches(selector, p.labels))) {
      problems.push(`${id(o)}: selector ${JSON.stringify(selector)} matches no pod template in namespace ${ns(o)}`);
    }
  }
  return problems;
}

/** Service targetPorts name or number a container port of a selected pod; IngressRoute services and ports exist. */
export function checkPorts(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const pods = podTemplates(objects);
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const selected = pods.filter((p) => p.namespace === ns(svc) && matches(get(svc.spec, 'selector') as Labels, p.labels));
    const containerPorts = selected.flatMap((p) => list(p.spec.containers).flatMap((c) => list(c.ports)));
    for (const port of list(get(svc.spec, 'ports'))) {
      const target = port.targetPort ?? port.port;
      const found = containerPorts.some((cp) => (typeof target === 'number' ? cp.containerPort === target : cp.name === target));
      if (!found) problems.push(`${id(svc)}: targetPort ${String(target)} is no container port of the pods it selects`);
    }
  }
  for (const route of objects.filter((o) => o.kind === 'IngressRoute')) {
    for (const r of list(get(route.spec, 'routes'))) {
      for (const ref of list(r.services)) {
        const namespace = typeof ref.namespace === 'string' ? ref.namespace : ns(route);
        const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === ref.name && ns(o) === namespace);
        if (!svc) {
          problems.push(`${id(route)}: service ${String(ref.name)} does not exist in namespace ${namespace}`);
          continue;
        }
        const ports = list(get(svc.spec, 'ports'));
        if (!ports.some((p) => p.port === ref.port || (typeof ref.port === 'string' && p.name === ref.port))) {
          problems.push(`${id(route)}: ${id(svc)} has no port ${String(ref.port)}`);
        }
      }
    }
  }
  return problems;
}

/** Every configMap volume names an existing ConfigMap of the namespace, and every item an existing key of it. */
export function checkConfigMapVolumes(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const pod of podTemplates(objects)) {
    for (const volume of list(pod.spec.volumes)) {
      const ref = volume.configMap as Any | undefined;
      if (!ref) continue;
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === ref.name && ns(o) === pod.namespace);
      if (!cm) {
        problems.push(`${pod.owner}: volume ${String(volume.name)} names ConfigMap ${String(ref.name)}, which does not exist`);
        continue;
      }
      const keys = new Set([...Object.keys((cm.data as Any | undefined) ?? {}), ...Object.keys((cm.binaryData as Any | undefined) ?? {})]);
      for (const item of list(ref.items)) {
        if (!keys.has(String(item.key))) problems.push(`${pod.owner}: volume ${String(volume.name)} item key ${String(item.key)} is not in ${id(cm)}`);
      }
    }
  }
  return problems;
}

const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret', 'name']);

/** Pod Security Standards "restricted" (Kubernetes' pod-security admission), for every pod template. */
export function checkRestricted(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const pod of podTemplates(objects)) {
    const p = (what: string) => problems.push(`${pod.owner}: not "restricted": ${what}`);
    const podSc = (pod.spec.securityContext ?? {}) as Any;
    for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod.spec[host] === true) p(`${host}`);
    for (const volume of list(pod.spec.volumes)) {
      for (const key of Object.keys(volume)) if (!RESTRICTED_VOLUMES.has(key)) p(`volume ${String(volume.name)} is of type ${key}`);
    }
    if (podSc.runAsUser === 0) p('pod runAsUser 0');
    const containers = [...list(pod.spec.initContainers), ...list(pod.spec.containers)];
    if (containers.length === 0) p('no containers');
    for (const c of containers) {
      const sc = (c.securityContext ?? {}) as Any;
      const name = `container ${String(c.name)}`;
      if (sc.privileged === true) p(`${name} is privileged`);
      if (sc.allowPrivilegeEscalation !== false) p(`${name} does not set allowPrivilegeEscalation: false`);
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) p(`${name} does not run as non-root`);
      if (sc.runAsUser === 0) p(`${name} runAsUser 0`);
      const seccomp = get(sc, 'seccompProfile', 'type') ?? get(podSc, 'seccompProfile', 'type');
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') p(`${name} has no RuntimeDefault or Localhost seccomp profile`);
      const caps = (sc.capabilities ?? {}) as { drop?: unknown; add?: unknown };
      if (!Array.isArray(caps.drop) || !caps.drop.includes('ALL')) p(`${name} does not drop ALL capabilities`);
      if (Array.isArray(caps.add) && caps.add.some((cap) => cap !== 'NET_BIND_SERVICE')) p(`${name} adds capabilities ${JSON.stringify(caps.add)}`);
      for (const port of list(c.ports)) if (port.hostPort !== undefined && port.hostPort !== 0) p(`${name} uses hostPort ${String(port.hostPort)}`);
    }
  }
  return problems;
}

/**
 * Names and label values within Kubernetes' limits: Services (and Namespaces)
 * are DNS-1035 (DNS-1123) labels of at most 63 characters, other names
 * DNS-1123 subdomains, label values at most 63 characters, and each Host()
 * of an IngressRoute a host whose first label fits in 63.
 */
export function checkNames(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const name = o.metadata.name;
    if (o.kind === 'Service' && !DNS_1035_LABEL.test(name))
      problems.push(`${id(o)}: a Service name must be a DNS-1035 label (a letter first, at most 63 characters)`);
    else if (o.kind === 'Namespace' && !DNS_1123_LABEL.test(name))
      problems.push(`${id(o)}: a Namespace name must be a DNS-1123 label of at most 63 characters`);
    else if (!DNS_1123_SUBDOMAIN.test(name)) problems.push(`${id(o)}: name is not a DNS-1123 subdomain`);
    if (o.metadata.namespace !== undefined && !DNS_1123_LABEL.test(o.metadata.namespace)) problems.push(`${id(o)}: namespace is not a DNS-1123 label`);
    const labelSets = [
      o.metadata.labels,
      get(o.spec, 'template', 'metadata', 'labels'),
      get(o.spec, 'selector', 'matchLabels'),
      o.kind === 'Service' ? get(o.spec, 'selector') : undefined,
    ];
    for (const labels of labelSets) {
      for (const [key, value] of Object.entries((labels ?? {}) as Labels)) {
        if (typeof value !== 'string' || !LABEL_VALUE.test(value))
          problems.push(`${id(o)}: label ${key}=${String(value)} is not a valid label value (at most 63 characters)`);
      }
    }
    if (o.kind === 'IngressRoute') {
      for (const r of list(get(o.spec, 'routes'))) {
        for (const [, host] of String(r.match).matchAll(/Host\(`([^`]*)`\)/g)) {
          const first = (host ?? '').split('.')[0] ?? '';
          if (!DNS_1123_LABEL.test(first)) problems.push(`${id(o)}: host ${host ?? ''} starts with ${first}, not a DNS label of at most 63 characters`);
        }
      }
    }
  }
  return problems;
}

/** Every cross-object check on one set of objects. */
export function crossObjectProblems(objects: readonly KubeObject[]): string[] {
  return [...checkSelectors(objects), ...checkPorts(objects), ...checkConfigMapVolumes(objects), ...checkRestricted(objects), ...checkNames(objects)];
}
