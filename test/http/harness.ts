import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLocalGit } from '../../src/adapters/git/index.js';
import { initAppsRepo } from '../../src/adapters/git/init-repo.js';
import { openSqliteStore } from '../../src/adapters/store-sqlite/index.js';
import { createAuthService, loadOrCreateSigningKey } from '../../src/auth/index.js';
import { createGitOps } from '../../src/gitops/gitops.js';
import { createApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createRateLimits } from '../../src/http/rate-limit.js';
import { createDeployHandler, createJobRunner } from '../../src/jobs/index.js';
import { DEFAULT_RENDER_SETTINGS } from '../../src/render/settings.js';
import { defaultTemplates } from '../../src/render/templates.js';
import { createSecretBox, loadOrCreateKey } from '../../src/secrets/secret-box.js';
import { encryptSecretManifest } from '../../src/secrets/sops.js';
import { loadStarters } from '../../src/starters/index.js';
import { createValidatorPool } from '../../src/validate/index.js';
import { fleetPinWarnings } from '../../src/gitops/system-warnings.js';

export const SKELETON = join(import.meta.dirname, '..', '..', 'apps-repo');
export const ISSUER = 'http://berth.test';
export const AUDIENCE = 'berth';

export interface HarnessOptions {
  readonly bodyLimitBytes?: number;
  readonly corsOrigins?: readonly string[];
  readonly authPerMinute?: number;
  readonly deployPerMinute?: number;
  readonly validatePerMinute?: number;
  readonly githubSecret?: string;
  readonly fluxHmacKey?: string;
  readonly sopsRecipients?: readonly string[];
  readonly tenantDatabase?: { ensure(tenant: string): Promise<{ readonly uri: string }> };
  readonly clusterConfigured?: boolean;
}

/** The real pieces (SQLite file, bare repo, auth, Pyodide validator, job runner) behind createApp, in a temp dir. */
export async function createHarness(options: HarnessOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-http-'));
  const gitdir = join(dir, 'apps.git');
  await initAppsRepo({ skeletonDir: SKELETON, gitdir, author: { name: 'Berth', email: 'berth@example.com' } });
  const store = openSqliteStore({ path: join(dir, 'berth.db') });
  const git = createLocalGit({ gitdir, committer: { name: 'Berth', email: 'berth@example.com' } });
  const gitops = createGitOps({ git, context: { templates: defaultTemplates(), settings: DEFAULT_RENDER_SETTINGS } });
  const signingKey = await loadOrCreateSigningKey({ dir });
  const auth = createAuthService({ store, signingKey, issuer: ISSUER, audience: AUDIENCE });
  // One worker keeps each test file light; the pool adds the fair queue and the verdict cache.
  const validator = createValidatorPool({ timeoutMs: 10_000, size: 1 });
  await validator.ready;
  const handler = createDeployHandler({ store, gitops });
  const runner = createJobRunner({ jobs: store.jobs, handlers: { deploy: handler, rollback: handler, delete: handler }, owner: 'test-worker', pollMs: 50 });
  await runner.start();
  const starters = loadStarters();
  const app = createApp({
    store,
    gitops,
    git,
    validator,
    secretBox: createSecretBox(await loadOrCreateKey(join(dir, 'secret-box.key'))),
    encryptSecretManifest: (input) => encryptSecretManifest({ ...input, recipients: [...input.recipients] }),
    sopsRecipients: options.sopsRecipients ?? [],
    ...(options.tenantDatabase ? { tenantDatabase: options.tenantDatabase } : {}),
    starters: () => starters,
    kickJobs: () => runner.kick(),
    renderSettings: DEFAULT_RENDER_SETTINGS,
    clusterConfigured: options.clusterConfigured ?? false,
    cleanupPolicy: { sleepAfterHours: 24, deleteAfterHours: 168 },
    now: () => new Date(),
    auth,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics({ jobs: store.jobs }),
    rateLimits: createRateLimits({ authPerMinute: options.authPerMinute ?? 1000, deployPerMinute: options.deployPerMinute ?? 1000, validatePerMinute: options.validatePerMinute ?? 1000 }),
    http: { corsOrigins: options.corsOrigins ?? [], bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024, secureCookies: false, trustProxy: false, publicUrl: ISSUER },
    webhooks: { githubSecret: options.githubSecret, fluxHmacKey: options.fluxHmacKey },
    sse: { pollMs: 20, heartbeatMs: 100 },
    systemWarnings: () => fleetPinWarnings(git, 'main'),
  });

  /** JSON request helper: returns status, headers and the parsed body. */
  async function call(method: string, path: string, init: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['Content-Type'] ??= 'application/json';
    const res = await app.request(path, { method, headers, ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    // Tests read response fields freely; the shapes are asserted, not assumed.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, headers: res.headers, body: json as Record<string, any> };
  }

  async function signup(username: string): Promise<string> {
    const res = await call('POST', '/api/v1/auth/signup', { body: { username, email: `${username}@example.com`, password: 'correct horse battery staple' } });
    if (res.status !== 201) throw new Error(`signup ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.accessToken as string;
  }

  /** What "nothing changed" compares: store rows that matter and the branch head. */
  async function snapshot() {
    const apps = await store.apps.list();
    const deployments = (await Promise.all(apps.map((a) => store.deployments.listByApp(a.tenant, a.name)))).flat();
    return { apps: JSON.stringify(apps), deployments: JSON.stringify(deployments), users: (await store.users.list()).length, head: await git.head('main'), jobs: await store.jobs.stats(new Date().toISOString()) };
  }

  return {
    app,
    store,
    git,
    gitdir,
    dir,
    signingKey,
    runner,
    call,
    signup,
    snapshot,
    async close() {
      await runner.stop(5000);
      await validator.close();
      await git.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
