import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { MongoClient } from 'mongodb';
import { pino, type Logger } from 'pino';
import { fleetIndexFile } from './adapters/fs/fleet-index-file.js';
import { createLocalGit } from './adapters/git/index.js';
import { initAppsRepo } from './adapters/git/init-repo.js';
import { createRepoMaintenance } from './adapters/git/maintenance.js';
import { openSqliteStore } from './adapters/store-sqlite/index.js';
import { openMongoStore } from './adapters/store-mongo/index.js';
import { createAuthService, createOidcVerifier, loadOrCreateSigningKey } from './auth/index.js';
import { appsRepoSkeletonDir } from './cli/package-root.js';
import { ConfigError, describeConfig, loadConfig, type Config } from './config.js';
import { ConflictError, UnavailableError } from './errors.js';
import { createGitOps } from './gitops/gitops.js';
import { fleetPinWarnings, layoutWarnings } from './gitops/system-warnings.js';
import { createApp } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { createRateLimits } from './http/rate-limit.js';
import { cleanupTask, createDeployHandler, createJobRunner, createPeriodicTasks, readNodeId, upgradeCheckTask } from './jobs/index.js';
import { defaultTemplates } from './render/templates.js';
import { DEFAULT_RENDER_SETTINGS } from './render/settings.js';
import { createSecretBox, loadOrCreateKey, parseSecretBoxKey } from './secrets/secret-box.js';
import { createTenantDatabaseProvisioner, type TenantDatabaseProvisioner } from './secrets/tenant-database.js';
import { encryptSecretManifest } from './secrets/sops.js';
import { loadStarters } from './starters/index.js';
import type { Store } from './store/port.js';
import { createPythonValidator } from './validate/index.js';

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

async function openStore(config: Config): Promise<Store> {
  if (config.mongo) return openMongoStore({ uri: config.mongo.uri, timeoutMs: config.mongo.timeoutMs });
  return openSqliteStore({ path: join(config.dataDir, 'berth.db') });
}

/** Creates the embedded apps repository on first start; a racing replica's repo is as good as ours. */
async function ensureAppsRepo(config: Config, logger: Logger): Promise<void> {
  if (existsSync(join(config.appsRepo, 'HEAD'))) return;
  try {
    const commit = await initAppsRepo({ skeletonDir: appsRepoSkeletonDir(), gitdir: config.appsRepo, branch: config.branch, author: { name: 'Berth', email: 'berth@localhost' } });
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
async function seedEmptyRemote(config: Config, committer: { name: string; email: string }, git: ReturnType<typeof createLocalGit>, logger: Logger): Promise<void> {
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
async function openTenantDatabases(config: Config): Promise<{ provisioner: TenantDatabaseProvisioner; client: MongoClient } | undefined> {
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

/** The composition root: config → store → apps repo → gitops → auth → validator → jobs → HTTP. */
async function start(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'berth' } });
  logger.info({ config: describeConfig(config) }, 'starting');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });

  const store = await openStore(config);
  await ensureAppsRepo(config, logger);
  const committer = { name: 'Berth', email: `berth@${hostname() || 'localhost'}` };
  const git = createLocalGit({ gitdir: config.appsRepo, committer, cacheBytes: config.gitCacheBytes, ...(config.gitRemote ? { remote: config.gitRemote } : {}) });
  if (config.gitRemote) await seedEmptyRemote(config, committer, git, logger);
  const renderSettings = { ...DEFAULT_RENDER_SETTINGS, appDomain: config.appDomain };
  const fleetIndexStore = fleetIndexFile(join(config.dataDir, 'fleet-index.json'));
  const gitops = createGitOps({ git, context: { templates: defaultTemplates(), settings: renderSettings }, branch: config.branch, fleetIndexStore });
  const systemWarnings = async () => [...(await fleetPinWarnings(git, config.branch)), ...(await layoutWarnings(git, config.branch))];
  for (const warning of await systemWarnings()) logger.warn({ code: warning.code }, warning.message);

  const signingKey = await loadOrCreateSigningKey(config.signingKeyJwk ? { privateJwk: config.signingKeyJwk } : { dir: config.dataDir });
  const oidc = config.oidc ? createOidcVerifier({ issuer: config.oidc.issuer, audience: config.oidc.audience, timeoutMs: 5000 }) : undefined;
  const auth = createAuthService({ store, signingKey, issuer: config.jwt.issuer, audience: config.jwt.audience, ...(oidc ? { oidc } : {}) });
  const secretBox = createSecretBox(config.secretBoxKey ? parseSecretBoxKey(config.secretBoxKey) : await loadOrCreateKey(join(config.dataDir, 'secret-box.key')));
  const tenantDatabase = await openTenantDatabases(config);

  // Pyodide loads in the background (~2.5 s); validate calls wait for it, bounded per call.
  const validator = createPythonValidator({ timeoutMs: config.validateTimeoutMs });
  validator.ready.then(
    () => logger.info({ python: validator.pythonVersion() }, 'python validator ready'),
    (err: unknown) => logger.error({ err }, 'python validator failed to load: validate and deploy will answer 503'),
  );

  const metrics = createMetrics({ jobs: store.jobs, defaultMetrics: true });
  const owner = readNodeId(config.dataDir);
  const handler = createDeployHandler({ store, gitops });
  const runner = createJobRunner({
    jobs: store.jobs,
    handlers: { deploy: handler, rollback: handler, delete: handler },
    owner,
    releaseOwnLeasesOnStart: true,
    logger: logger.child({ component: 'jobs' }),
    onMetrics: (m) => {
      if (m.outcome === 'done') {
        metrics.deploys.inc({ outcome: 'committed' });
        metrics.commitLatency.observe((m.waitMs + m.durationMs) / 1000);
      } else if (m.outcome === 'failed') metrics.deploys.inc({ outcome: 'failed' });
    },
  });
  const hour = 3_600_000;
  const periodic = createPeriodicTasks({
    leases: store.leases,
    owner,
    logger: logger.child({ component: 'periodic' }),
    tasks: [
      cleanupTask({ store, gitops, policy: config.cleanup, everyMs: hour, logger }),
      upgradeCheckTask({ gitops, everyMs: 6 * hour, logger }),
    ],
  });

  const app = createApp({
    store,
    gitops,
    git,
    validator: {
      validate: async (files, entrypoint, allowed) => {
        await validator.ready.catch(() => {
          throw new UnavailableError('the Python validator is not available; try again shortly');
        });
        return validator.validate(files, entrypoint, allowed);
      },
      defaultAllowedImports: () => validator.defaultAllowedImports(),
    },
    secretBox,
    encryptSecretManifest: (input) => encryptSecretManifest({ ...input, recipients: [...input.recipients] }),
    sopsRecipients: config.sopsAgeRecipients,
    ...(tenantDatabase ? { tenantDatabase: tenantDatabase.provisioner } : {}),
    starters: (() => {
      const starters = loadStarters();
      return () => starters;
    })(),
    kickJobs: () => runner.kick(),
    renderSettings,
    // Flux reports to Berth only where a cluster reconciles the apps repository.
    clusterConfigured: config.fluxWebhookHmacKey !== undefined,
    cleanupPolicy: config.cleanup,
    now: () => new Date(),
    auth,
    logger,
    metrics,
    rateLimits: createRateLimits(config.rateLimits),
    http: { corsOrigins: config.corsOrigins, bodyLimitBytes: config.bodyLimitBytes, secureCookies: config.production, trustProxy: config.trustProxy, publicUrl: config.publicUrl },
    webhooks: { githubSecret: config.githubWebhookSecret, fluxHmacKey: config.fluxWebhookHmacKey },
    systemWarnings,
    readiness: [{ name: 'apps-repo', check: async () => void (await git.head(config.branch)) }],
  });

  await runner.start();
  periodic.start();
  // Per replica, no lease: each keeps its own local copy of the apps repository.
  const maintenance = createRepoMaintenance({ gitdir: config.appsRepo, everyMs: hour, logger: logger.child({ component: 'git-maintenance' }) });
  maintenance.start();
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) =>
    logger.info({ host: info.address, port: info.port }, `listening on http://${config.host}:${info.port}`),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const deadline = config.shutdownDeadlineMs;
    logger.info({ signal, deadlineMs: deadline }, 'shutting down');
    // Stop accepting; in-flight requests finish. Streams (SSE) are cut at the deadline.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const force = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), deadline);
    maintenance.stop();
    await Promise.allSettled([runner.stop(deadline), periodic.stop(deadline), closed]);
    clearTimeout(force);
    await Promise.allSettled([validator.close(), git.close(), tenantDatabase?.client.close()]);
    await store.close();
    logger.info('stopped');
    logger.flush();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

start().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`berth: ${err.message}\n`);
  else process.stderr.write(`berth: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
