import { Writable } from 'node:stream';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Log,
  Watch,
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { LogLine, RuntimeAppStatus, RuntimeEvent, RuntimePort, RuntimeReport } from '../../services/runtime-port.js';
import type { AppRef } from '../../domain/names.js';
import { startListWatch, type ListWatchStats } from './list-watch.js';
import {
  parseLogLine,
  revisionCommit,
  toAppStatus,
  toRuntimeEvent,
  type FluxKustomization,
  type KubeDeployment,
  type KubeEvent,
  type KubePod,
} from './kube-status.js';

const FLUX = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' } as const;
const CONTAINER = 'app';

export interface KubeRuntimeOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the per-app Flux Kustomizations live (`<tenant>--<app>`). */
  readonly fluxNamespace: string;
  readonly tenantNamespace: (tenant: string) => string;
  /** Bound of every API call (a watch is bounded server-side and re-opened). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly watchSeconds?: number;
}

/** In-cluster config when running in a pod, else the kubeconfig file given. */
export function loadKubeConfig(kubeconfig: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromCluster();
  return kc;
}

const fluxName = (ref: AppRef) => `${ref.tenant}--${ref.app}`;

/**
 * Whether an event in the tenant's namespace is about this app: its
 * Deployment (and Service, ...) by name, its ReplicaSets `<app>-<hash>` and
 * Pods `<app>-<hash>-<suffix>` by shape, since a field selector cannot match
 * a prefix, and `hello-world`'s objects must not show up under `hello`.
 */
export function isAbout(event: KubeEvent, app: string): boolean {
  const name = event.involvedObject?.name ?? '';
  const kind = event.involvedObject?.kind;
  if (kind === 'ReplicaSet') return new RegExp(`^${app}-[a-z0-9]{6,10}$`).test(name);
  if (kind === 'Pod') return new RegExp(`^${app}-[a-z0-9]{6,10}-[a-z0-9]{5}$`).test(name);
  return name === app;
}

/**
 * The kubernetes adapter of the runtime port: read only. The app
 * Kustomizations are list-watched (their Ready condition and
 * lastAppliedRevision are the live state, and a change is reported to the
 * deploy timeline); Deployments, Pods, Events and logs are read on demand,
 * each call bounded by `timeoutMs`.
 */
export function createKubeRuntime(options: KubeRuntimeOptions): RuntimePort & { watchStats(): ListWatchStats } {
  const kc = options.kubeConfig;
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const kustomizations = new Map<string, FluxKustomization>();
  const listeners = new Set<(report: RuntimeReport) => void>();
  let watcher: ReturnType<typeof startListWatch<FluxKustomization>> | undefined;
  let problem: string | undefined;

  /** Every call gets its own deadline: the client would otherwise wait as long as the socket does. */
  const deadline: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(options.timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  const bounded = (): ConfigurationOptions => ({ middleware: [deadline], middlewareMergeStrategy: 'append' });

  const notFoundAsUndefined = <T>(promise: Promise<T>): Promise<T | undefined> =>
    promise.catch((err: unknown) => {
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 404) return undefined;
      throw err;
    });

  function report(k: FluxKustomization): void {
    const name = k.metadata?.name ?? '';
    const [tenant, app] = name.split('--');
    const ready = k.status?.conditions?.find((c) => c.type === 'Ready');
    const commit = revisionCommit(
      ready?.status === 'True' ? k.status?.lastAppliedRevision : (k.status?.lastAttemptedRevision ?? k.status?.lastAppliedRevision),
    );
    if (!tenant || !app || !commit || !ready || ready.status === 'Unknown' || ready.reason === 'Progressing') return;
    const outcome = ready.status === 'True' ? 'ready' : 'failed';
    const at = ready.lastTransitionTime ? new Date(ready.lastTransitionTime).toISOString() : new Date().toISOString();
    for (const listener of listeners) listener({ app: { tenant, app }, commit, outcome, message: `${ready.reason ?? ''}: ${ready.message ?? ''}`, at });
  }

  async function podsOf(ref: AppRef): Promise<KubePod[]> {
    const list = await core.listNamespacedPod(
      { namespace: options.tenantNamespace(ref.tenant), labelSelector: `app.kubernetes.io/name=${ref.app}` },
      bounded(),
    );
    return [...(list.items as KubePod[])].sort((a, b) =>
      String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')),
    );
  }

  async function kustomizationOf(ref: AppRef): Promise<FluxKustomization | undefined> {
    const cached = kustomizations.get(fluxName(ref));
    if (cached || watcher) return cached;
    return notFoundAsUndefined(
      custom.getNamespacedCustomObject({ ...FLUX, namespace: options.fluxNamespace, name: fluxName(ref) }, bounded()) as Promise<FluxKustomization>,
    );
  }

  return {
    kind: 'kubernetes',
    watchStats: () => watcher?.stats ?? { lists: 0, watches: 0, expired: 0 },

    async status(ref): Promise<RuntimeAppStatus | undefined> {
      const namespace = options.tenantNamespace(ref.tenant);
      const [k, deployment, pods] = await Promise.all([
        kustomizationOf(ref),
        notFoundAsUndefined(apps.readNamespacedDeployment({ name: ref.app, namespace }, bounded()) as Promise<KubeDeployment>),
        podsOf(ref),
      ]);
      return toAppStatus(k, deployment, pods);
    },

    // The watched Kustomization alone: a list of many apps must not make three API calls per app.
    glance: async (ref) => toAppStatus(kustomizations.get(fluxName(ref)), undefined, []),

    async events(ref): Promise<RuntimeEvent[]> {
      const [inTenant, inFlux] = await Promise.all([
        core.listNamespacedEvent({ namespace: options.tenantNamespace(ref.tenant) }, bounded()),
        core.listNamespacedEvent({ namespace: options.fluxNamespace, fieldSelector: `involvedObject.name=${fluxName(ref)}` }, bounded()),
      ]);
      const about = (e: KubeEvent) => isAbout(e, ref.app);
      const events = [...(inTenant.items as KubeEvent[]).filter(about), ...(inFlux.items as KubeEvent[])].map(toRuntimeEvent);
      return events.sort((a, b) => a.at.localeCompare(b.at)).slice(-200);
    },

    async logs(ref, query): Promise<LogLine[]> {
      const [pod] = await podsOf(ref);
      if (!pod?.metadata?.name) return [];
      const text = await core.readNamespacedPodLog(
        { name: pod.metadata.name, namespace: options.tenantNamespace(ref.tenant), container: CONTAINER, tailLines: query.tail, timestamps: true },
        bounded(),
      );
      return String(text)
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => ({ ...parseLogLine(line), stream: 'stdout' as const }));
    },

    async *followLogs(ref, query, signal) {
      const [pod] = await podsOf(ref);
      if (!pod?.metadata?.name || signal.aborted) return;
      const queue: LogLine[] = [];
      let wake: (() => void) | undefined;
      let ended = false;
      let pending = '';
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          pending += chunk.toString('utf8');
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line !== '') queue.push({ ...parseLogLine(line), stream: 'stdout' });
          wake?.();
          callback();
        },
        final(callback) {
          ended = true;
          wake?.();
          callback();
        },
      });
      const stop = () => {
        ended = true;
        wake?.();
      };
      signal.addEventListener('abort', stop, { once: true });
      const controller = await new Log(kc)
        .log(options.tenantNamespace(ref.tenant), pod.metadata.name, CONTAINER, sink, { follow: true, tailLines: query.tail, timestamps: true })
        .catch(() => undefined);
      try {
        while (controller) {
          const next = queue.shift();
          if (next) {
            yield next;
            continue;
          }
          if (ended || signal.aborted) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        signal.removeEventListener('abort', stop);
        controller?.abort();
      }
    },

    onReport(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    kick: () => undefined,
    problem: () => problem,

    async start() {
      watcher = startListWatch<FluxKustomization>({
        watch: new Watch(kc),
        path: `/apis/${FLUX.group}/${FLUX.version}/namespaces/${options.fluxNamespace}/${FLUX.plural}`,
        list: async () => {
          const list = (await custom.listNamespacedCustomObject({ ...FLUX, namespace: options.fluxNamespace }, bounded())) as {
            items?: FluxKustomization[];
            metadata?: { resourceVersion?: string };
          };
          problem = undefined;
          return { items: list.items ?? [], ...(list.metadata?.resourceVersion ? { resourceVersion: list.metadata.resourceVersion } : {}) };
        },
        nameOf: (k) => k.metadata?.name,
        onReplace(items) {
          kustomizations.clear();
          for (const [name, k] of items) kustomizations.set(name, k);
        },
        onChange(type, k) {
          const name = k.metadata?.name;
          if (!name) return;
          if (type === 'DELETED') kustomizations.delete(name);
          else {
            kustomizations.set(name, k);
            report(k);
          }
        },
        logger: options.logger,
        ...(options.watchSeconds ? { watchSeconds: options.watchSeconds } : {}),
      });
      // Berth starts without the cluster; status says what is wrong meanwhile.
      const first = await Promise.race([
        watcher.ready.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.timeoutMs).unref()),
      ]);
      if (!first) problem = 'the Kubernetes API did not answer yet; retrying';
    },

    async stop() {
      watcher?.stop();
    },
  };
}
