import { requireAppAccess, hasRole } from '../auth/authorize.js';
import { effectiveMode } from './review-policy.js';
import type { Principal } from '../auth/principal.js';
import { ConflictError, InputError, InvalidCodeError, NotFoundError, type CodeProblem } from '../errors.js';
import type { AppRecord, Draft, DraftEnvVar } from '../store/types.js';
import { envNameProblem, envValueProblem } from '../domain/env-rule.js';
import { kustomizeTextProblem } from '../render/index.js';
import { precheckFiles as precheckCode } from '../validate/prechecks.js';
import { SETTINGS, type ServiceDeps } from './service-deps.js';
import { appUrlOf } from './runtime-service.js';
import { appSummary, appView, type TenantMode } from './views.js';

/** An env var as the API accepts it: a plain value, or a secret (no value keeps the stored one). */
export type EnvInput = string | { readonly value?: string; readonly secret: boolean };

export interface DraftInput {
  readonly files: Readonly<Record<string, string>>;
  readonly entrypoint: string;
  readonly env: Readonly<Record<string, EnvInput>>;
}

/**
 * Apps and their drafts: create (from a starter or files), read, edit,
 * validate. Deploys, rollbacks and deletes are in deploy-service.ts.
 */
export function createAppService(deps: ServiceDeps) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();

  async function modeOf(tenant: string): Promise<TenantMode> {
    const policy = await store.settings.get<{ mode?: unknown }>(SETTINGS.tenantPolicy(tenant));
    return policy?.mode === 'review' ? 'review' : 'auto';
  }

  /** The app if the principal may access it; 404 for a missing app only after access is settled. */
  async function load(principal: Principal, tenant: string, name: string, access: 'read' | 'write'): Promise<AppRecord> {
    requireAppAccess(principal, tenant, access);
    const app = await store.apps.get(tenant, name);
    if (!app) throw new NotFoundError(`app ${tenant}/${name} does not exist`);
    return app;
  }

  async function sealEnv(tenant: string, app: string, input: Readonly<Record<string, EnvInput>>, previous: Draft['env']): Promise<Record<string, DraftEnvVar>> {
    const env: Record<string, DraftEnvVar> = {};
    for (const [name, value] of Object.entries(input)) {
      checkEnvEntry(name, typeof value === 'string' ? value : value.value, typeof value === 'string' || !value.secret);
      if (typeof value === 'string') env[name] = { value, secret: false };
      else if (!value.secret) env[name] = { value: value.value ?? '', secret: false };
      else if (value.value !== undefined) env[name] = { sealed: await deps.secretBox.seal(value.value, secretContext(tenant, app, name)), secret: true };
      else {
        const kept = previous[name];
        if (!kept?.secret || !kept.sealed) throw new InputError(`secret ${name} has no value yet: send {"secret": true, "value": "..."}`, { env: name });
        env[name] = kept;
      }
    }
    return env;
  }

  async function view(app: AppRecord) {
    return appView(
      app,
      deps.renderSettings,
      (await effectiveMode(store.settings, app.tenant, app.name)).mode,
      appUrlOf(deps, { tenant: app.tenant, app: app.name }),
    );
  }

  async function allowedImports(): Promise<readonly string[] | undefined> {
    const list = await store.settings.get<unknown>(SETTINGS.allowedImports);
    return Array.isArray(list) && list.every((item) => typeof item === 'string') ? list : undefined;
  }

  /** Pre-checks, then CPython's parser and the shared rules through the validator. */
  async function checkCode(
    files: Readonly<Record<string, string>>,
    entrypoint: string,
    caller?: { readonly user: string; readonly purpose: 'deploy' | 'edit' },
  ): Promise<readonly CodeProblem[]> {
    const early = precheckCode(files, entrypoint);
    if (early.length > 0) return early;
    return deps.validator.validate(files, entrypoint, await allowedImports(), caller);
  }

  return {
    view,
    modeOf,
    load,
    checkCode,

    async list(principal: Principal) {
      const seesAll = hasRole(principal, 'reviewer') || hasRole(principal, 'operator');
      const apps = await store.apps.list(seesAll ? undefined : { tenant: principal.tenant });
      const modes = new Map<string, TenantMode>();
      for (const tenant of new Set(apps.map((a) => a.tenant))) modes.set(tenant, await modeOf(tenant));
      return Promise.all(
        apps.map(async (app) => {
          const ref = { tenant: app.tenant, app: app.name };
          const summary = appSummary(app, deps.renderSettings, modes.get(app.tenant) ?? 'auto', appUrlOf(deps, ref));
          // Live state from the runtime (which follows Git), not from what Berth last wrote itself.
          const runtime = await deps.runtime?.glance(ref);
          if (!runtime) return summary;
          return {
            ...summary,
            ...(runtime.liveCommit ? { live: { commit: runtime.liveCommit, at: summary.live?.at ?? app.updatedAt } } : {}),
            runtime: { ready: runtime.ready, phase: runtime.phase, message: runtime.message, replicas: runtime.replicas },
          };
        }),
      );
    },

    async create(
      principal: Principal,
      input: {
        name: string;
        template?: string | undefined;
        files?: Record<string, string> | undefined;
        entrypoint?: string | undefined;
        env?: Record<string, EnvInput> | undefined;
      },
    ) {
      const tenant = principal.tenant;
      requireAppAccess(principal, tenant, 'write');
      let files = input.files;
      let entrypoint = input.entrypoint;
      if (input.template !== undefined) {
        const starter = (await deps.starters()).find((s) => s.id === input.template);
        if (!starter)
          throw new InputError(`template ${JSON.stringify(input.template)} does not exist; GET /templates lists them`, { template: input.template });
        files = { ...starter.files, ...files };
        entrypoint ??= starter.entrypoint;
      }
      if (!files || Object.keys(files).length === 0) throw new InputError('give a template or some files');
      entrypoint ??= 'main.py';
      const problems = precheckCode(files, entrypoint).filter((p) => p.rule !== 'syntax');
      if (problems.length > 0) throw new InvalidCodeError(problems);
      const now = nowIso();
      const draft: Draft = { files, entrypoint, env: await sealEnv(tenant, input.name, input.env ?? {}, {}) };
      const app = await store.apps.create({ tenant, name: input.name, ownerId: principal.userId, draft, createdAt: now, updatedAt: now, lastActivityAt: now });
      return view(app);
    },

    async get(principal: Principal, tenant: string, name: string) {
      return view(await load(principal, tenant, name, 'read'));
    },

    async updateDraft(principal: Principal, tenant: string, name: string, input: DraftInput) {
      const app = await load(principal, tenant, name, 'write');
      const problems = precheckCode(input.files, input.entrypoint);
      if (problems.length > 0) throw new InvalidCodeError(problems);
      const draft: Draft = { files: input.files, entrypoint: input.entrypoint, env: await sealEnv(tenant, name, input.env, app.draft.env) };
      const updated = await store.apps.updateDraft(tenant, name, draft, nowIso());
      if (!updated) throw new ConflictError(`app ${tenant}/${name} was deleted meanwhile`);
      return view(updated);
    },

    async validate(
      principal: Principal,
      tenant: string,
      name: string,
      override: { files?: Record<string, string> | undefined; entrypoint?: string | undefined },
    ) {
      const app = await load(principal, tenant, name, 'read');
      const files = override.files ?? app.draft.files;
      const problems = await checkCode(files, override.entrypoint ?? app.draft.entrypoint, { user: principal.userId, purpose: 'edit' });
      return { ok: problems.length === 0, problems: [...problems] };
    },

    async activity(principal: Principal, tenant: string, name: string) {
      await load(principal, tenant, name, 'write');
      await store.apps.touch(tenant, name, nowIso());
    },
  };
}

export type AppService = ReturnType<typeof createAppService>;

/** What a sealed draft secret is bound to: it cannot be moved to another app or variable. */
export function secretContext(tenant: string, app: string, name: string): string {
  return `draft-env:${tenant}/${app}/${name}`;
}

/**
 * What the deploy job would refuse about an env entry, refused by the draft
 * request instead (400 naming the variable): the one env rule of
 * src/domain/env-rule.ts, and for plain values what kustomize cannot carry.
 */
function checkEnvEntry(name: string, value: string | undefined, plain: boolean): void {
  const nameProblem = envNameProblem(name);
  if (nameProblem) throw new InputError(`env ${nameProblem}`, { env: name });
  if (value === undefined) return;
  const valueProblem = envValueProblem(value) ?? (plain ? kustomizeTextProblem(value) : undefined);
  if (valueProblem) throw new InputError(`env ${name} ${valueProblem}`, { env: name });
}
