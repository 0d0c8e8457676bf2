import { join } from 'node:path';
import type { createServer } from 'node:http';
import type { Logger } from 'pino';
import { createKubeRuntime, loadKubeConfig } from './adapters/kube/kube-runtime.js';
import { createLocalRuntime } from './adapters/local-runtime/local-runtime.js';
import { applyRuntimeReport } from './services/runtime-progress.js';
import { noRuntime, type RuntimePort, type RuntimeReport } from './services/runtime-port.js';
import type { ServiceDeps } from './services/service-deps.js';
import { packageRoot } from './package-paths.js';
import type { Config } from './config.js';
import type { GitPort } from './ports/git.js';
import { withAppProxy } from './http/app-proxy.js';
import { tenantNamespace } from './render/app-view.js';
import type { RenderSettings } from './render/settings.js';
import { loadOrCreateAgeIdentity } from './secrets/local-age-identity.js';
import type { Store } from './ports/store.js';

/** What the composition root gets for the runtime: the port, the services' extra deps, and the app proxy for the server. */
export interface RuntimeSetup {
  readonly runtime: RuntimePort;
  readonly serviceDeps: Pick<ServiceDeps, 'runtime' | 'appUrlBase' | 'appRequestVia'>;
  /** SOPS recipients: the configured ones, plus Berth's embedded key with the local runtime. */
  readonly sopsRecipients: readonly string[];
  /** `createServer` for serve(): app hosts go to the proxy (local runtime only). */
  readonly createServer?: typeof createServer;
  /** Follow the runtime's reports into the deploy timeline; returns the unsubscribe. */
  followReports(deps: { store: Pick<Store, 'deployments'>; git: Pick<GitPort, 'isAncestor'> }): () => void;
}

/** A report can arrive before the deploy job has recorded `committed`: look again a few times. */
const REPORT_RETRIES_MS = [100, 300, 1_000, 3_000];

/**
 * Builds the runtime the configuration asks for (see RuntimeConfig): the
 * local runtime with its age identity and app proxy, the read-only
 * kubernetes client, or nothing (Git only).
 */
export async function setupRuntime(
  config: Config,
  deps: { git: Pick<GitPort, 'head' | 'tree' | 'log'>; logger: Logger; renderSettings: RenderSettings },
): Promise<RuntimeSetup> {
  const logger = deps.logger.child({ component: 'runtime' });
  const follow = (runtime: RuntimePort) => (target: Parameters<RuntimeSetup['followReports']>[0]) =>
    runtime.onReport((report) => void applyWithRetry(target, report, logger));
  if (config.runtime.kind === 'local') {
    const age = await loadOrCreateAgeIdentity(join(config.dataDir, 'age.key'));
    const runtime = createLocalRuntime({
      git: deps.git,
      branch: config.branch,
      dataDir: config.dataDir,
      python: config.runtime.python,
      entrypointScript: join(packageRoot(), 'runner', 'entrypoint.py'),
      maxApps: config.runtime.maxApps,
      pollMs: config.runtime.pollMs,
      ageIdentity: age.identity,
      logger,
    });
    const listenHost = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
    return {
      runtime,
      serviceDeps: { runtime, appUrlBase: { scheme: 'http', port: config.port }, appRequestVia: { host: listenHost, port: config.port } },
      sopsRecipients: [...new Set([...config.sopsAgeRecipients, age.recipient])],
      createServer: withAppProxy({ appDomain: config.appDomain, targets: runtime, issuer: config.jwt.issuer }),
      followReports: follow(runtime),
    };
  }
  if (config.runtime.kind === 'kubernetes') {
    const runtime = createKubeRuntime({
      kubeConfig: loadKubeConfig(config.runtime.kubeconfig),
      fluxNamespace: deps.renderSettings.flux.namespace,
      tenantNamespace: (tenant) => tenantNamespace(tenant, deps.renderSettings),
      timeoutMs: config.runtime.timeoutMs,
      logger,
    });
    return { runtime, serviceDeps: { runtime }, sopsRecipients: config.sopsAgeRecipients, followReports: follow(runtime) };
  }
  const runtime = noRuntime(config.runtime.reason);
  return { runtime, serviceDeps: { runtime }, sopsRecipients: config.sopsAgeRecipients, followReports: follow(runtime) };
}

async function applyWithRetry(deps: Parameters<RuntimeSetup['followReports']>[0], report: RuntimeReport, logger: Logger): Promise<void> {
  try {
    if ((await applyRuntimeReport(deps, report)) > 0 || report.settled) return;
    for (const delay of REPORT_RETRIES_MS) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if ((await applyRuntimeReport(deps, report)) > 0) return;
    }
  } catch (err) {
    logger.error({ err, app: report.app }, 'moving the deploy timeline on failed');
  }
}
