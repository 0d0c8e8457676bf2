import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { MongoClient } from 'mongodb';
import { pino, type Logger } from 'pino';
import { scheduledBackups } from './adapters/backup/scheduled-backup.js';
import { fleetIndexFile } from './adapters/fs/fleet-index-file.js';
import { createLocalGit } from './adapters/git/index.js';
import { initAppsRepo } from './adapters/git/init-repo.js';
import { createRepoMaintenance } from './adapters/git/maintenance.js';
import type { PythonValidator } from './adapters/pyodide/python-validator.js';
import { createValidatorPool, defaultPoolSize, type ValidatorPool } from './adapters/pyodide/validator-pool.js';
import { openMongoStore } from './adapters/store-mongo/index.js';
import { openSqliteStore } from './adapters/store-sqlite/index.js';
import { defaultTemplates } from './adapters/templates/template-files.js';
import { createTenantDatabaseProvisioner } from './adapters/tenant-db/tenant-database.js';
import { withAccountCache } from './auth/account-cache.js';
import { createAuthService, createOidcVerifier, loadOrCreateSigningKey, type SigningKey } from './auth/index.js';
import { describeConfig, type Config } from './config.js';
import { ConflictError, UnavailableError } from './errors.js';
import { createGitOps, type GitOps } from './gitops/gitops.js';
import { fleetPinWarnings, layoutWarnings } from './gitops/system-warnings.js';
import { createApp } from './http/app.js';
import type { HttpDeps } from './http/deps.js';
import type { AppEnv } from './http/env.js';
import { createMetrics } from './http/metrics.js';
import { createRateLimits } from './http/rate-limit.js';
import { cleanupTask, createDeployHandler, createJobRunner, createPeriodicTasks, readNodeId, upgradeCheckTask, type JobRunner } from './jobs/index.js';
import { appsRepoSkeletonDir } from './package-paths.js';
import type { CodeValidatorPort } from './ports/services.js';
import type { Store } from './ports/store.js';
import type { Templates } from './render/templates.js';
import { DEFAULT_RENDER_SETTINGS } from './render/settings.js';
import { createSecretBox, loadOrCreateKey, parseSecretBoxKey } from './secrets/secret-box.js';
import { encryptSecretManifest } from './secrets/sops.js';
import { buildServices, type ServiceDeps, type Services } from './services/index.js';
import { createChangeRequestRecords } from './adapters/review-local/change-request-records.js';
import { createLocalReviewBackend } from './adapters/review-local/local-review-backend.js';
import { createGitHubClient, repoOfRemoteUrl } from './adapters/github/github-client.js';
import { createGitHubReviewBackend } from './adapters/github/github-review-backend.js';
import { setupRuntime, type RuntimeSetup } from './runtime-setup.js';
import { loadStarters } from './starters/index.js';

/*
 * THE composition root: config → store → apps repo → gitops → auth →
 * validator → jobs → services → HTTP. `npm start` (src/main.ts), the
 * in-process HTTP harness of the tests and, through main, the bench and the
 * e2e tests all build Berth here; a new adapter is wired in this file once.
 */

/** Never logged, wherever they appear in a log object. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secret',
  '*.uri',
];

const HOUR_MS = 3_600_000;

/** What a test (or a tool) replaces; everything else comes from the config. */
export interface BerthOverrides {
  readonly logger?: Logger;
  /** The clock of the services and the HTTP layer. */
  readonly now?: () => Date;
  readonly validator?: PythonValidator | ValidatorPool;
  readonly tenantDatabase?: ServiceDeps['tenantDatabase'];
  /** Default: a Flux webhook key is configured (only then does a cluster report back). */
  readonly clusterConfigured?: boolean;
  readonly templates?: Templates;
  readonly jobs?: { readonly pollMs?: number };
  readonly sse?: HttpDeps['sse'];
  /** Node.js process metrics on /metrics (default true; off in tests, where many instances share a process). */
  readonly defaultMetrics?: boolean;
}

export interface Berth {
  readonly config: Config;
  readonly app: Hono<AppEnv>;
  readonly store: Store;
  readonly git: ReturnType<typeof createLocalGit>;
  readonly gitops: GitOps;
  /** The application services (tests drive the GitHub review poll through them). */
  readonly services: Services;
  readonly signingKey: SigningKey;
  readonly runner: JobRunner;
  readonly validator: PythonValidator;
  readonly logger: Logger;
  /** What runs the committed apps (local processes, a cluster read, or none) and the app proxy for the server. */
  readonly runtime: RuntimeSetup;
  /** Starts the job runner and, unless `background: false`, the periodic tasks and the repo maintenance. */
  start(options?: { readonly background?: boolean }): Promise<void>;
  /** Stops taking jobs and tasks; running ones get until the deadline. */
  stopWorkers(deadlineMs: number): Promise<void>;
  /** Closes the validator, the git adapter, the tenant database client and the store (after stopWorkers). */
  close(): Promise<void>;
}

/** Builds the whole object graph from the configuration; starts nothing that runs by itself (see {@link Berth.start}). */
export async function buildBerth(config: Config, overrides: BerthOverrides = {}): Promise<Berth> {
  const logger = overrides.logger ?? pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'berth' } });
  const now = overrides.now ?? (() => new Date());
  logger.info({ config: describeConfig(config) }, 'starting');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });

  // Every request reads its account (roles, removal) from the store, through a cache of a few seconds.
  const store = withAccountCache(await openStore(config));
  await ensureAppsRepo(config, logger);
  const committer = { name: 'Berth', email: `berth@${hostname() || 'localhost'}` };
  const git = createLocalGit({
    gitdir: config.appsRepo,
    committer,
    cacheBytes: config.gitCacheBytes,
    ...(config.gitRemote ? { remote: config.gitRemote } : {}),
  });
  if (config.gitRemote) await seedEmptyRemote(config, committer, git, logger);
  const renderSettings = {
    ...DEFAULT_RENDER_SETTINGS,
    appDomain: config.appDomain,
    ...(config.runtimeClasses.fleet ? { runtimeClassName: config.runtimeClasses.fleet } : {}),
    tenantRuntimeClasses: config.runtimeClasses.tenants,
  };
  const gitops = createGitOps({
    git,
    context: { templates: overrides.templates ?? defaultTemplates(), settings: renderSettings },
    branch: config.branch,
    now,
    fleetIndexStore: fleetIndexFile(join(config.dataDir, 'fleet-index.json')),
  });

  const systemWarnings = async () => [...(await fleetPinWarnings(git, config.branch)), ...(await layoutWarnings(git, config.branch))];
  for (const warning of await systemWarnings()) logger.warn({ code: warning.code }, warning.message);
  const runtime = await setupRuntime(config, { git, logger, renderSettings });

  const signingKey = await loadOrCreateSigningKey(config.signingKeyJwk ? { privateJwk: config.signingKeyJwk } : { dir: config.dataDir });
  const oidc = config.oidc ? createOidcVerifier({ issuer: config.oidc.issuer, audience: config.oidc.audience, timeoutMs: 5000 }) : undefined;
  const auth = createAuthService({ store, signingKey, issuer: config.jwt.issuer, audience: config.jwt.audience, ...(oidc ? { oidc } : {}) });
  const secretBox = createSecretBox(
    config.secretBoxKey ? parseSecretBoxKey(config.secretBoxKey) : await loadOrCreateKey(join(config.dataDir, 'secret-box.key')),
  );
  const tenantMongo = overrides.tenantDatabase ? undefined : openTenantDatabases(config);
  const tenantDatabase = overrides.tenantDatabase ?? tenantMongo?.provisioner;

  // Pyodide loads in the background (~2.5 s); validate calls wait for it, bounded per call.
  const validator = overrides.validator ?? createValidatorPool({ timeoutMs: config.validateTimeoutMs, size: config.validateWorkers || defaultPoolSize() });
  validator.ready.then(
    () => logger.info({ python: validator.pythonVersion() }, 'python validator ready'),
    (err: unknown) => logger.error({ err }, 'python validator failed to load: validate and deploy will answer 503'),
  );

  const metrics = createMetrics({ jobs: store.jobs, defaultMetrics: overrides.defaultMetrics ?? true });
  const owner = readNodeId(config.dataDir);
  const reviewRecords = createChangeRequestRecords(store.settings, now);
  // The handler opens change requests through the review service, built with the other services below.
  const handler = createDeployHandler({ store, gitops, review: { open: (request) => services.reviews.open(request) } });
  const runner = createJobRunner({
    jobs: store.jobs,
    handlers: { deploy: handler, rollback: handler, delete: handler },
    owner,
    releaseOwnLeasesOnStart: true,
    ...(overrides.jobs?.pollMs !== undefined ? { pollMs: overrides.jobs.pollMs } : {}),
    logger: logger.child({ component: 'jobs' }),
    onMetrics: (m) => {
      if (m.outcome === 'done') {
        runtime.runtime.kick();
        metrics.deploys.inc({ outcome: 'committed' });
        metrics.commitLatency.observe((m.waitMs + m.durationMs) / 1000);
      } else if (m.outcome === 'failed') metrics.deploys.inc({ outcome: 'failed' });
    },
  });
  const periodic = createPeriodicTasks({
    leases: store.leases,
    owner,
    logger: logger.child({ component: 'periodic' }),
    tasks: [
      cleanupTask({ store, gitops, policy: config.cleanup, everyMs: HOUR_MS, logger }),
      upgradeCheckTask({ gitops, everyMs: 6 * HOUR_MS, logger }),
      // The GitHub backend's fallback when a webhook is lost: conditional requests, 304s cost no rate limit.
      ...(config.githubReviews
        ? [{ name: 'github-review-poll', everyMs: config.githubReviews.pollSeconds * 1000, run: async () => services.githubReviews?.poll() }]
        : []),
    ],
  });
  // Per replica, no lease: each keeps its own local copy of the apps repository.
  const backups = scheduledBackups({
    paths: { dataDir: config.dataDir, appsRepo: config.appsRepo },
    everyHours: config.mongo ? 0 : config.backup.everyHours,
    keep: config.backup.keep,
    logger: logger.child({ component: 'backup' }),
  });
  const maintenance = createRepoMaintenance({ gitdir: config.appsRepo, everyMs: HOUR_MS, logger: logger.child({ component: 'git-maintenance' }) });

  const starters = loadStarters();
  // Flux reports to Berth only where a cluster reconciles the apps repository.
  const clusterConfigured = overrides.clusterConfigured ?? config.fluxWebhookHmacKey !== undefined;
  const services = buildServices({
    store,
    gitops,
    git,
    validator: whenReady(validator),
    secretBox,
    encryptSecretManifest: (input) => encryptSecretManifest({ ...input, recipients: [...input.recipients] }),
    sopsRecipients: runtime.sopsRecipients,
    ...runtime.serviceDeps,
    ...(tenantDatabase ? { tenantDatabase } : {}),
    starters: () => starters,
    kickJobs: () => runner.kick(),
    renderSettings,
    clusterConfigured,
    cleanupPolicy: config.cleanup,
    now,
    reviews: {
      ...reviewBackendOf(config, git),
      records: reviewRecords,
      git,
      onVerdict: (seconds, verdict) => metrics.reviewTime.observe({ verdict }, seconds),
    },
  });
  metrics.countOpenChangeRequests = () => services.reviews.countOpen();
  const app = createApp({
    services,
    store,
    auth,
    logger,
    metrics,
    now,
    clusterConfigured,
    runtimeKind: runtime.runtime.kind,
    rateLimits: createRateLimits(config.rateLimits),
    http: {
      corsOrigins: config.corsOrigins,
      bodyLimitBytes: config.bodyLimitBytes,
      secureCookies: config.production,
      trustProxy: config.trustProxy,
      publicUrl: config.publicUrl,
    },
    webhooks: { githubSecret: config.githubWebhookSecret, fluxHmacKey: config.fluxWebhookHmacKey },
    systemWarnings,
    readiness: [{ name: 'apps-repo', check: async () => void (await git.head(config.branch)) }],
    ...(overrides.sse ? { sse: overrides.sse } : {}),
  });

  return {
    config,
    app,
    store,
    git,
    gitops,
    services,
    signingKey,
    runner,
    validator,
    logger,
    runtime,
    async start(options = {}) {
      runtime.followReports({ store, git });
      await runtime.runtime.start();
      await runner.start();
      if (options.background === false) return;
      periodic.start();
      maintenance.start();
      backups.start();
    },
    async stopWorkers(deadlineMs) {
      maintenance.stop();
      await Promise.allSettled([runner.stop(deadlineMs), periodic.stop(deadlineMs), runtime.runtime.stop(deadlineMs), backups.stop()]);
    },
    async close() {
      await Promise.allSettled([validator.close(), git.close(), tenantMongo?.client.close()]);
      await store.close();
    },
  };
}

/**
 * Validate and deploy wait for Pyodide to load; once loading has failed they
 * answer 503 (UnavailableError) instead of hanging or failing opaquely.
 */
export function whenReady(validator: PythonValidator | ValidatorPool): CodeValidatorPort {
  return {
    validate: async (files, entrypoint, allowed, caller) => {
      await validator.ready.catch(() => {
        throw new UnavailableError('the Python validator is not available; try again shortly');
      });
      return validator.validate(files, entrypoint, allowed, caller);
    },
    defaultAllowedImports: () => validator.defaultAllowedImports(),
  };
}

async function openStore(config: Config): Promise<Store> {
  if (config.mongo) return openMongoStore({ uri: config.mongo.uri, timeoutMs: config.mongo.timeoutMs });
  return openSqliteStore({ path: join(config.dataDir, 'berth.db') });
}

/** Creates the embedded apps repository on first start; a racing replica's repo is as good as ours. */
async function ensureAppsRepo(config: Config, logger: Logger): Promise<void> {
  if (existsSync(join(config.appsRepo, 'HEAD'))) return;
  try {
    const commit = await initAppsRepo({
      skeletonDir: appsRepoSkeletonDir(),
      gitdir: config.appsRepo,
      branch: config.branch,
      author: { name: 'Berth', email: 'berth@localhost' },
    });
    logger.info({ appsRepo: config.appsRepo, commit }, 'created the apps repository');
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
  }
}

/**
 * With a remote, the local branch follows the remote; an empty remote would
 * make the first fetch drop the local skeleton. Push it first: the push only
 * lands if the remote has no such branch, so an existing history is kept.
 */
async function seedEmptyRemote(
  config: Config,
  committer: { name: string; email: string },
  git: ReturnType<typeof createLocalGit>,
  logger: Logger,
): Promise<void> {
  const localOnly = createLocalGit({ gitdir: config.appsRepo, committer });
  const local = await localOnly.head(config.branch);
  await localOnly.close();
  if (!local) return;
  try {
    await git.updateBranch(config.branch, local, undefined);
    logger.info({ commit: local }, 'seeded the empty remote apps repository');
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
  }
}

/**
 * With TENANT_DB_HOST, each tenant gets a MongoDB user limited to its own
 * database; the app receives the URI only inside its encrypted Secret.
 */
function openTenantDatabases(config: Config) {
  if (!config.mongo || !config.tenantDatabase) return undefined;
  const timeoutMs = config.mongo.timeoutMs;
  const client = new MongoClient(config.mongo.uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs, socketTimeoutMS: timeoutMs });
  const provisioner = createTenantDatabaseProvisioner({
    client,
    publicHost: config.tenantDatabase.host,
    passwordKey: parseSecretBoxKey(config.tenantDatabase.passwordKey),
    timeoutMs,
  });
  return { provisioner, client };
}

/** Review mode's backend: GitHub pull requests on the remote's repository when configured, else the local one. */
function reviewBackendOf(config: Config, git: ReturnType<typeof createLocalGit>) {
  if (!config.githubReviews || !config.gitRemote) return { backend: createLocalReviewBackend(git) };
  const client = createGitHubClient({ token: config.githubReviews.token, baseUrl: config.githubReviews.apiUrl });
  const backend = createGitHubReviewBackend({ client, repo: repoOfRemoteUrl(config.gitRemote.url), base: config.branch });
  return { backend, pullRequests: backend };
}
