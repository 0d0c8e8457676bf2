import type { Principal } from '../auth/principal.js';
import { hasRole, requireAppAccess } from '../auth/authorize.js';
import { ConflictError, ForbiddenError, InputError, InvalidCodeError, NotFoundError } from '../errors.js';
import { appSecretName, tenantNamespace } from '../render/app-view.js';
import type { AppRecord } from '../store/types.js';
import type { AppService } from './app-service.js';
import type { ServiceDeps } from './service-deps.js';
import { enqueueDeployment, type DeploymentRequest } from '../jobs/requests.js';
import { secretContext } from './app-service.js';
import { fluxStatusKey, type FluxStatus } from './flux-event-service.js';
import { actorOf as actorOfUser } from './actor.js';
import { tenantDatabaseName } from '../domain/names.js';
import { ambiguousPrefixMessage, matchCommitPrefix } from '../domain/commit-prefix.js';

/** The variable the tenant's database URI reaches the app in (the todo starter reads it). */
const TENANT_DB_VARIABLE = 'MONGODB_URI';
import { deploymentView } from './views.js';
import { createRuntimeService } from './runtime-service.js';
import { effectiveMode } from './review-policy.js';

type DeploymentRequestWithoutActor = DeploymentRequest extends infer R ? (R extends unknown ? Omit<R, 'actor' | 'message'> : never) : never;

export interface RequestMeta {
  readonly idempotencyKey?: string | undefined;
  readonly message?: string | undefined;
}

/**
 * Deploy, rollback and delete requests: checked here, then written with
 * their job in one atomic store call; the job runner makes the commit.
 */
export function createDeployService(deps: ServiceDeps, apps: AppService) {
  const { store } = deps;
  const runtime = createRuntimeService(deps);

  const actorOf = (principal: Principal) => actorOfUser(store.users, principal);

  /** Review mode (the app's policy, else its tenant's): the job commits to a change request's branch instead of main. */
  async function reviewed(tenant: string, name: string): Promise<{ review?: true }> {
    return (await effectiveMode(store.settings, tenant, name)).mode === 'review' ? { review: true } : {};
  }

  /** The deployment and its job in one atomic store write; the runner makes the commit. */
  async function enqueue(principal: Principal, change: DeploymentRequestWithoutActor, meta: RequestMeta) {
    const request = { ...change, actor: await actorOf(principal), ...(meta.message ? { message: meta.message } : {}) } as DeploymentRequest;
    const result = await enqueueDeployment(store, { request, now: deps.now(), ...(meta.idempotencyKey ? { idempotencyKey: meta.idempotencyKey } : {}) });
    if (result.created) deps.kickJobs();
    return { deployment: deploymentView(result.deployment), created: result.created };
  }

  /**
   * Secret values are opened only to be SOPS-encrypted at once; the queue
   * holds ciphertext. With tenant databases, MONGODB_URI joins them unless
   * the app set its own.
   */
  async function secretsOf(app: AppRecord) {
    const names: string[] = [];
    const values: Record<string, string> = {};
    const plain: Record<string, string> = {};
    for (const [name, variable] of Object.entries(app.draft.env)) {
      if (!variable.secret) plain[name] = variable.value ?? '';
      else if (variable.sealed) {
        names.push(name);
        values[name] = await deps.secretBox.open(variable.sealed, secretContext(app.tenant, app.name, name));
      }
    }
    // The tenant's database URI holds a password: it travels like any secret, never as a plain value.
    if (deps.tenantDatabase && !(TENANT_DB_VARIABLE in app.draft.env)) {
      values[TENANT_DB_VARIABLE] = (await deps.tenantDatabase.ensure(app.tenant)).uri;
      names.push(TENANT_DB_VARIABLE);
    }
    if (names.length === 0) return { plain, names };
    if (deps.sopsRecipients.length === 0) {
      throw new InputError('this app has secret env vars but Berth has no SOPS_AGE_RECIPIENTS configured to encrypt them to', { secretEnv: names });
    }
    const ref = { tenant: app.tenant, app: app.name };
    const sopsYaml = await deps.encryptSecretManifest({
      name: appSecretName(ref),
      namespace: tenantNamespace(app.tenant, deps.renderSettings),
      values,
      recipients: deps.sopsRecipients,
    });
    return { plain, names, sopsYaml };
  }

  /** A full id or unique prefix (7+) of one of the app's releases, as the full id; 404 if none, 409 if ambiguous. */
  async function resolveRelease(tenant: string, name: string, commit: string): Promise<string> {
    const releases = await deps.gitops.releases({ tenant, app: name }, 500);
    const match = matchCommitPrefix(
      releases.map((release) => release.commit),
      commit,
    );
    if (match.kind === 'ambiguous') throw new ConflictError(ambiguousPrefixMessage(commit, match.matches, `${tenant}/${name}`), { matches: match.matches });
    if (match.kind === 'none') throw new NotFoundError(`commit ${commit} is not a release of ${tenant}/${name}; GET .../releases lists them`);
    return match.commit;
  }

  /** What Flux last reported about the app's Kustomization (see flux-event-service). */
  async function clusterStatus(tenant: string, name: string) {
    const flux = await store.settings.get<FluxStatus>(fluxStatusKey(tenant, name));
    if (!flux) return { configured: true, message: 'no report from Flux yet' };
    return {
      configured: true,
      ready: flux.ready,
      ...(flux.revision ? { revision: flux.revision } : {}),
      message: `${flux.reason}: ${flux.message}`.slice(0, 500),
      at: flux.at,
    };
  }

  return {
    async deploy(principal: Principal, tenant: string, name: string, meta: RequestMeta) {
      const app = await apps.load(principal, tenant, name, 'write');
      const problems = await apps.checkCode(app.draft.files, app.draft.entrypoint, { user: principal.userId, purpose: 'deploy' });
      if (problems.length > 0) throw new InvalidCodeError(problems);
      const secrets = await secretsOf(app);
      const change = {
        kind: 'deploy' as const,
        tenant,
        app: name,
        owner: tenant,
        entrypoint: app.draft.entrypoint,
        files: app.draft.files,
        env: secrets.plain,
        secretEnv: secrets.names,
        ...(secrets.sopsYaml !== undefined ? { secretSopsYaml: secrets.sopsYaml } : {}),
        ...(await reviewed(tenant, name)),
      };
      const result = await enqueue(principal, change, meta);
      await store.apps.touch(tenant, name, deps.now().toISOString());
      return result;
    },

    async rollback(principal: Principal, tenant: string, name: string, to: string, meta: RequestMeta) {
      requireAppAccess(principal, tenant, 'write');
      // A rollback of a deleted app would put its folder back in Git with no app record: an orphan
      // the API cannot see or delete. Restoring is an explicit act (recreate, then deploy).
      if (!(await store.apps.get(tenant, name))) throw deletedAppError(tenant, name, to);
      return enqueue(principal, { kind: 'rollback', tenant, app: name, to: await resolveRelease(tenant, name, to), ...(await reviewed(tenant, name)) }, meta);
    },

    /** The app's code as committed in one release (`berth pull --release`). */
    async releaseFiles(principal: Principal, tenant: string, name: string, commit: string) {
      requireAppAccess(principal, tenant, 'read');
      const full = await resolveRelease(tenant, name, commit);
      const spec = await deps.gitops.readApp({ tenant, app: name }, full);
      if (!spec) throw new NotFoundError(`${tenant}/${name} has no code in release ${full.slice(0, 12)} (a delete?)`);
      return { commit: full, entrypoint: spec.entrypoint, files: { ...spec.files } };
    },

    async remove(principal: Principal, tenant: string, name: string, meta: RequestMeta) {
      await apps.load(principal, tenant, name, 'write');
      // The job removes the app record once the commit is made.
      return enqueue(principal, { kind: 'delete', tenant, app: name }, meta);
    },

    async list(principal: Principal, tenant: string, name: string) {
      requireAppAccess(principal, tenant, 'read');
      return (await store.deployments.listByApp(tenant, name, 100)).map(deploymentView);
    },

    /** A deployment the principal may read, as stored (the SSE stream polls it). */
    async get(principal: Principal, id: string) {
      const deployment = await store.deployments.get(id);
      if (!deployment) throw new NotFoundError(`deployment ${id} does not exist`);
      try {
        requireAppAccess(principal, deployment.tenant, 'read');
      } catch (err) {
        // Another tenant's deployment ids are not confirmed to exist.
        if (err instanceof ForbiddenError) throw new NotFoundError(`deployment ${id} does not exist`);
        throw err;
      }
      return deployment;
    },

    async releases(principal: Principal, tenant: string, name: string, limit: number) {
      requireAppAccess(principal, tenant, 'read');
      const releases = await deps.gitops.releases({ tenant, app: name }, limit);
      return releases.map((r) => ({
        commit: r.commit,
        ...(r.action ? { action: r.action } : {}),
        ...(r.actor ? { actor: r.actor } : {}),
        author: r.author,
        at: r.at,
        message: r.message,
      }));
    },

    async status(principal: Principal, tenant: string, name: string) {
      requireAppAccess(principal, tenant, 'read');
      const [latest] = await deps.gitops.releases({ tenant, app: name }, 1);
      const deployed = latest !== undefined && latest.action !== 'delete';
      return {
        git: { commit: deployed ? latest.commit : null },
        runtime: await runtime.view({ tenant, app: name }, deployed ? latest.commit : null),
        cluster: deps.clusterConfigured
          ? await clusterStatus(tenant, name)
          : { configured: false, message: deployed ? 'committed, no cluster configured' : 'not deployed' },
        database: deps.tenantDatabase
          ? {
              attached: true,
              name: tenantDatabaseName(tenant),
              message: `MONGODB_URI of database ${tenantDatabaseName(tenant)}, in the app's encrypted Secret`,
            }
          : { attached: false, message: 'no database attached (no MongoDB for apps configured)' },
      };
    },

    canSeeAll: (principal: Principal) => hasRole(principal, 'operator'),
  };
}

export type DeployService = ReturnType<typeof createDeployService>;

/** 409 for a rollback (or a queued deploy) of an app that no longer exists, saying how to restore it. */
export function deletedAppError(tenant: string, name: string, to?: string): ConflictError {
  const from = to ? `; its code at that release is in the apps repository (git show ${to}:<path>)` : '';
  return new ConflictError(
    `app ${tenant}/${name} was deleted, so a rollback cannot bring it back: recreate it (POST /api/v1/apps with its files) and deploy${from}`,
    { tenant, app: name },
  );
}
