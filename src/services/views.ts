import { appHost } from '../render/app-view.js';
import type { RenderSettings } from '../render/settings.js';
import type { AppRecord, Deployment } from '../store/types.js';

export type TenantMode = 'auto' | 'review';

/** Env as the API shows it: secret values never leave the store, not even sealed. */
export type EnvView = Record<string, { value: string; secret: false } | { secret: true }>;

export function envView(env: AppRecord['draft']['env']): EnvView {
  const view: EnvView = {};
  for (const [name, variable] of Object.entries(env)) {
    view[name] = variable.secret ? { secret: true } : { value: variable.value ?? '', secret: false };
  }
  return view;
}

/** The app as GET /apps/:tenant/:app returns it. */
export function appView(app: AppRecord, settings: RenderSettings, mode: TenantMode, url?: string) {
  return {
    tenant: app.tenant,
    name: app.name,
    url: url ?? `https://${appHost({ tenant: app.tenant, app: app.name }, settings)}`,
    owner: app.ownerId,
    draft: { files: { ...app.draft.files }, entrypoint: app.draft.entrypoint, env: envView(app.draft.env) },
    ...(app.liveCommit && app.liveAt ? { live: { commit: app.liveCommit, at: app.liveAt } } : {}),
    policy: { mode },
    lastActivityAt: app.lastActivityAt,
  };
}

/** A list entry: the same without the draft (lists stay small with many apps). */
export function appSummary(app: AppRecord, settings: RenderSettings, mode: TenantMode, url?: string) {
  const { draft: _draft, ...rest } = appView(app, settings, mode, url);
  return rest;
}

export function deploymentView(d: Deployment) {
  return {
    id: d.id,
    app: `${d.tenant}/${d.app}`,
    kind: d.kind,
    status: d.status,
    ...(d.commit ? { commit: d.commit } : {}),
    ...(d.changeRequest ? { changeRequest: d.changeRequest } : {}),
    ...(d.message ? { message: d.message } : {}),
    ...(d.error ? { error: d.error } : {}),
    requestedBy: d.requestedBy,
    createdAt: d.createdAt,
    timeline: d.timeline.map((t) => ({ stage: t.stage, at: t.at, ...(t.detail ? { detail: t.detail } : {}) })),
  };
}
