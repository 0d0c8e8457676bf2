import type { AppSpec, RunnerImage } from '../domain/app-spec.js';
import { toConfigMapKey } from '../domain/code-paths.js';
import { appDir, CODE_DIR, RUNNER_COMPONENT_DIR, SECRET_FILE } from '../domain/layout.js';
import type { AppRef } from '../domain/names.js';
import type { RenderSettings } from './settings.js';

/*
 * What the app templates see. Everything a template prints is computed
 * here, already sorted, so templates hold only layout and constant text.
 */

/** Public host of an app: `<app>--<tenant>.<appDomain>`. */
export function appHost(ref: AppRef, settings: RenderSettings): string {
  // One DNS label left of the domain (names hold no "--" and no dots), so a
  // wildcard certificate for *.<appDomain> covers every app, and the label
  // splits back into app and tenant unambiguously at the "--".
  return `${ref.app}--${ref.tenant}.${settings.appDomain}`;
}

/** Name of the Secret `secret.sops.yaml` must define for an app's secret env. */
export function appSecretName(ref: AppRef): string {
  return `${ref.app}-env`;
}

/** Name of an app's Flux Kustomization in the Flux namespace. */
export function appFluxName(ref: AppRef): string {
  return `${ref.tenant}--${ref.app}`;
}

/** The namespace of a tenant's workloads. */
export function tenantNamespace(tenant: string, settings: RenderSettings): string {
  return `${settings.tenantNamespacePrefix}${tenant}`;
}

/** Service account each app's Flux Kustomization applies as when tenants are locked down. */
export function tenantServiceAccount(tenant: string): string {
  return `berth-tenant-${tenant}`;
}

/** One file of code/ as the kustomization and the Deployment's volume name it. */
export interface CodeFileView {
  readonly path: string;
  readonly key: string;
  /** configMapGenerator entry `<key>=code/<path>`. */
  readonly source: string;
}

/** Everything the app templates print, already validated and sorted. */
export interface AppView {
  readonly tenant: string;
  readonly app: string;
  readonly namespace: string;
  readonly configMapName: string;
  readonly secretName: string;
  readonly secretFile: string;
  readonly hasSecret: boolean;
  readonly runnerComponent: string;
  readonly runner: RunnerImage | undefined;
  readonly codeFiles: readonly CodeFileView[];
  readonly port: number;
  readonly replicas: number;
  readonly resources: RenderSettings['resources'];
  /** Runner variables first, then the app's, sorted. */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly secretEnv: readonly { readonly name: string }[];
  readonly hostRule: string;
  readonly ingress: RenderSettings['ingress'];
  readonly databaseNamespace: string;
  /** The pod's RuntimeClass (gVisor, Kata), when the tenant or the fleet has one. */
  readonly runtimeClassName: string | undefined;
  readonly flux: {
    readonly name: string;
    readonly namespace: string;
    readonly path: string;
    readonly sourceName: string;
    readonly interval: string;
    readonly retryInterval: string;
    readonly timeout: string;
    readonly serviceAccountName: string | undefined;
    readonly sopsSecretName: string | undefined;
  };
  readonly berth: {
    readonly templateVersion: number;
    readonly owner: string;
    readonly entrypoint: string;
    readonly env: readonly { readonly name: string; readonly value: string }[];
    readonly secretEnv: readonly string[];
    readonly runner: RunnerImage | undefined;
    readonly replicas: number;
    readonly asleepSince: string | undefined;
  };
}

/** The runner's own variables, in the order the Deployment lists them. */
export function runnerEnv(spec: AppSpec, settings: RenderSettings): { name: string; value: string }[] {
  return [
    { name: 'CODE_DIR', value: '/code' },
    { name: 'ENTRYPOINT', value: spec.entrypoint },
    { name: 'PORT', value: String(settings.containerPort) },
    // The runner's audit hook allows the same egress as the NetworkPolicy: the database namespace (and DNS).
    { name: 'BERTH_EGRESS', value: `*.${settings.databaseNamespace}.svc,*.${settings.databaseNamespace}.svc.cluster.local` },
  ];
}

/** Builds the view of a spec already normalized by normalizeAppSpec (sorted, checked). */
export function toAppView(spec: AppSpec, settings: RenderSettings, templateVersion: number): AppView {
  const userEnv = Object.entries(spec.env).map(([name, value]) => ({ name, value }));
  const hasSecret = spec.secretEnv.length > 0;
  const depth = appDir(spec).split('/').length;
  return {
    tenant: spec.tenant,
    app: spec.app,
    namespace: tenantNamespace(spec.tenant, settings),
    configMapName: `${spec.app}-code`,
    secretName: appSecretName(spec),
    secretFile: SECRET_FILE,
    hasSecret,
    runnerComponent: `${'../'.repeat(depth)}${RUNNER_COMPONENT_DIR}`,
    runner: spec.runner,
    codeFiles: Object.keys(spec.files).map((path) => {
      const key = toConfigMapKey(path);
      return { path, key, source: `${key}=${CODE_DIR}/${path}` };
    }),
    port: settings.containerPort,
    replicas: spec.replicas,
    resources: settings.resources,
    env: [...runnerEnv(spec, settings), ...userEnv],
    secretEnv: spec.secretEnv.map((name) => ({ name })),
    hostRule: `Host(\`${appHost(spec, settings)}\`)`,
    ingress: settings.ingress,
    databaseNamespace: settings.databaseNamespace,
    runtimeClassName: settings.tenantRuntimeClasses?.[spec.tenant] ?? settings.runtimeClassName,
    flux: {
      name: appFluxName(spec),
      namespace: settings.flux.namespace,
      path: `./${appDir(spec)}`,
      sourceName: settings.flux.sourceName,
      interval: settings.flux.interval,
      retryInterval: settings.flux.retryInterval,
      timeout: settings.flux.timeout,
      serviceAccountName: settings.tenantLockdown ? tenantServiceAccount(spec.tenant) : undefined,
      sopsSecretName: hasSecret ? settings.flux.sopsSecretName : undefined,
    },
    berth: {
      templateVersion,
      owner: spec.owner,
      entrypoint: spec.entrypoint,
      env: userEnv,
      secretEnv: spec.secretEnv,
      runner: spec.runner,
      replicas: spec.replicas,
      asleepSince: spec.asleepSince,
    },
  };
}
