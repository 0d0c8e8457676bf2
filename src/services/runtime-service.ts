import { randomUUID } from 'node:crypto';
import { requireAppAccess } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import { appRef, type AppRef } from '../domain/names.js';
import { NotFoundError, UnauthorizedError } from '../errors.js';
import { appHost } from '../render/app-view.js';
import type { ServiceDeps } from './service-deps.js';
import { fluxStatusKey, type FluxStatus } from './flux-event-service.js';
import { noRuntime, type RuntimeEvent, type RuntimePort } from './runtime-port.js';
import { sendToApp, type AppRequest } from './app-request.js';

/** How the runtime part of an app's status reads (GET .../status, the app list). */
export interface RuntimeView {
  readonly kind: RuntimePort['kind'];
  readonly liveCommit?: string;
  readonly ready: boolean;
  readonly replicas: { readonly desired: number; readonly ready: number };
  readonly message: string;
  readonly phase: string;
  readonly url: string;
}

/** The URL an app answers at: with the local runtime Berth's own port, else the cluster's HTTPS ingress. */
export function appUrlOf(deps: Pick<ServiceDeps, 'renderSettings' | 'appUrlBase'>, ref: AppRef): string {
  const host = appHost(ref, deps.renderSettings);
  return deps.appUrlBase ? `${deps.appUrlBase.scheme}://${host}${deps.appUrlBase.port ? `:${deps.appUrlBase.port}` : ''}/` : `https://${host}`;
}

/**
 * Live state of apps, their logs and events, the test panel and sleep/wake:
 * what the runtime port says, joined with Git (which commit should run).
 */
export function createRuntimeService(deps: ServiceDeps) {
  const runtime = deps.runtime ?? noRuntime('no runtime configured');

  async function actorOf(principal: Principal) {
    const user = await deps.store.users.byId(principal.userId);
    if (!user) throw new UnauthorizedError('the account behind this token no longer exists');
    return { id: user.id, username: user.username, email: user.email };
  }

  /** The runtime's view of one app; `gitCommit` (latest commit of the app on the branch) says whether it is deployed at all. */
  async function view(ref: AppRef, gitCommit: string | null): Promise<RuntimeView> {
    const url = appUrlOf(deps, ref);
    const status = await runtime.status(ref);
    if (status) return { kind: runtime.kind, ...status, url };
    const problem = runtime.problem();
    const message =
      gitCommit === null
        ? 'not deployed'
        : runtime.kind === 'none'
          ? `committed; ${problem ?? 'no runtime configured'}`
          : (problem ?? 'committed, not reconciled yet');
    return { kind: runtime.kind, ready: false, replicas: { desired: gitCommit === null ? 0 : 1, ready: 0 }, message, phase: 'absent', url };
  }

  async function readable(principal: Principal, tenant: string, name: string): Promise<AppRef> {
    requireAppAccess(principal, tenant, 'read');
    const ref = appRef(tenant, name);
    if (!(await deps.store.apps.get(tenant, name))) throw new NotFoundError(`app ${tenant}/${name} does not exist`);
    return ref;
  }

  async function lifecycle(principal: Principal, tenant: string, name: string, action: 'sleep' | 'wake') {
    requireAppAccess(principal, tenant, 'write');
    const ref = appRef(tenant, name);
    if (!(await deps.store.apps.get(tenant, name))) throw new NotFoundError(`app ${tenant}/${name} does not exist`);
    const result = await deps.gitops[action]([ref], { actor: await actorOf(principal), requestId: randomUUID() });
    runtime.kick();
    await deps.store.apps.touch(tenant, name, deps.now().toISOString());
    return { status: result.status, commit: 'commit' in result ? (result.commit ?? null) : null };
  }

  return {
    kind: runtime.kind,
    view,

    async logs(principal: Principal, tenant: string, name: string, tail: number) {
      return runtime.logs(await readable(principal, tenant, name), { tail });
    },

    async followLogs(principal: Principal, tenant: string, name: string, tail: number, signal: AbortSignal) {
      const ref = await readable(principal, tenant, name);
      return runtime.followLogs(ref, { tail }, signal);
    },

    /** The runtime's events, with Flux's last report on the app when there is one. */
    async events(principal: Principal, tenant: string, name: string): Promise<RuntimeEvent[]> {
      const ref = await readable(principal, tenant, name);
      const events = [...(await runtime.events(ref))];
      const flux = await deps.store.settings.get<FluxStatus>(fluxStatusKey(tenant, name));
      if (flux) events.push({ at: flux.at, type: flux.ready ? 'Normal' : 'Warning', reason: flux.reason, message: flux.message, source: 'flux-webhook' });
      return events.sort((a, b) => a.at.localeCompare(b.at));
    },

    /** The test panel: one request to the app's own live URL, never another host. */
    async request(principal: Principal, tenant: string, name: string, input: AppRequest) {
      const ref = await readable(principal, tenant, name);
      return sendToApp(new URL(appUrlOf(deps, ref)), input, deps.appRequestVia);
    },

    sleep: (principal: Principal, tenant: string, name: string) => lifecycle(principal, tenant, name, 'sleep'),
    wake: (principal: Principal, tenant: string, name: string) => lifecycle(principal, tenant, name, 'wake'),
  };
}

export type RuntimeService = ReturnType<typeof createRuntimeService>;
