/**
 * Cluster-wide settings that shape every app's manifests. Rendering is a pure
 * function of (AppSpec, RenderSettings); nothing here is read from the
 * environment directly (src/config.ts builds it).
 */
export interface RenderSettings {
  /** Apps are served at `https://<app>--<tenant>.<appDomain>`. */
  readonly appDomain: string;
  /** Namespace of each tenant's workloads: `<tenantNamespacePrefix><tenant>`. */
  readonly tenantNamespacePrefix: string;
  readonly ingress: {
    /** Traefik entry point, `websecure`. */
    readonly entryPoint: string;
    /** Namespace Traefik runs in: the only ingress source the NetworkPolicy admits. */
    readonly traefikNamespace: string;
    /** Traefik certificate resolver; absent: Traefik's default TLS store (e.g. a wildcard cert). */
    readonly certResolver?: string;
  };
  /** Namespace of the tenant databases: the only egress besides DNS. */
  readonly databaseNamespace: string;
  readonly flux: {
    readonly namespace: string;
    /** Name of the GitRepository that holds the apps repository. */
    readonly sourceName: string;
    readonly interval: string;
    readonly retryInterval: string;
    readonly timeout: string;
    /** Secret with the age key Flux decrypts `secret.sops.yaml` with. */
    readonly sopsSecretName: string;
  };
  /** Apply each app's Flux Kustomization as the tenant's own service account. */
  readonly tenantLockdown: boolean;
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  /** Port the runner listens on inside the container. */
  readonly containerPort: number;
  /**
   * RuntimeClass every app pod runs under (e.g. `gvisor` or `kata`): a second
   * kernel boundary around user code. Absent: the cluster's default runtime.
   */
  readonly runtimeClassName?: string;
  /** Per-tenant RuntimeClass, overriding {@link runtimeClassName} for those tenants. */
  readonly tenantRuntimeClasses?: Readonly<Record<string, string>>;
}

export const DEFAULT_RENDER_SETTINGS: RenderSettings = {
  appDomain: 'apps.localhost',
  tenantNamespacePrefix: 'berth-',
  ingress: { entryPoint: 'websecure', traefikNamespace: 'traefik' },
  databaseNamespace: 'databases',
  flux: {
    namespace: 'flux-system',
    sourceName: 'berth-apps',
    interval: '10m',
    retryInterval: '1m',
    timeout: '3m',
    sopsSecretName: 'sops-age',
  },
  tenantLockdown: false,
  resources: {
    requests: { cpu: '50m', memory: '64Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  },
  containerPort: 8000,
};
