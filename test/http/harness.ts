import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { PythonValidator } from '../../src/adapters/pyodide/python-validator.js';
import { buildBerth } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { openApiChecker } from '../support/openapi-check.js';

export const SKELETON = join(import.meta.dirname, '..', '..', 'apps-repo');
export const ISSUER = 'http://berth.test';
export const AUDIENCE = 'berth';

export interface HarnessOptions {
  readonly bodyLimitBytes?: number;
  readonly corsOrigins?: readonly string[];
  readonly authPerMinute?: number;
  readonly deployPerMinute?: number;
  readonly githubSecret?: string;
  readonly fluxHmacKey?: string;
  readonly sopsRecipients?: readonly string[];
  readonly tenantDatabase?: { ensure(tenant: string): Promise<{ readonly uri: string }> };
  readonly clusterConfigured?: boolean;
  readonly validatePerMinute?: number;
  /** Replaces the Pyodide validator (e.g. one that never loads); the harness then does not wait for it. */
  readonly validator?: PythonValidator;
}

/**
 * Berth as `npm start` builds it (src/compose.ts: SQLite file, bare repo,
 * auth, Pyodide validator, job runner) in a temp dir, without a listening
 * socket: the configuration comes from an environment record, and only the
 * clock-free test knobs are overrides.
 */
export async function createHarness(options: HarnessOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-http-'));
  const env: Record<string, string> = {
    DATA_DIR: dir,
    PUBLIC_URL: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    LOG_LEVEL: 'silent',
    VALIDATE_TIMEOUT_MS: '10000',
    RATE_LIMIT_AUTH_PER_MINUTE: String(options.authPerMinute ?? 1000),
    RATE_LIMIT_DEPLOY_PER_MINUTE: String(options.deployPerMinute ?? 1000),
    RATE_LIMIT_VALIDATE_PER_MINUTE: String(options.validatePerMinute ?? 1000),
    // One worker keeps each test file light; the pool still adds the fair queue and the verdict cache.
    VALIDATE_WORKERS: '1',
    // In-process tests do not run apps (test/e2e/local-runtime.test.ts does).
    RUNTIME: 'none',
    ...(options.bodyLimitBytes !== undefined ? { BODY_LIMIT_BYTES: String(options.bodyLimitBytes) } : {}),
    ...(options.corsOrigins ? { CORS_ORIGINS: options.corsOrigins.join(',') } : {}),
    ...(options.githubSecret ? { GITHUB_WEBHOOK_SECRET: options.githubSecret } : {}),
    ...(options.fluxHmacKey ? { FLUX_WEBHOOK_HMAC_KEY: options.fluxHmacKey } : {}),
    ...(options.sopsRecipients ? { SOPS_AGE_RECIPIENTS: options.sopsRecipients.join(',') } : {}),
  };
  const berth = await buildBerth(loadConfig(env), {
    logger: pino({ level: 'silent' }),
    clusterConfigured: options.clusterConfigured ?? false,
    defaultMetrics: false,
    jobs: { pollMs: 50 },
    sse: { pollMs: 20, heartbeatMs: 100 },
    ...(options.tenantDatabase ? { tenantDatabase: options.tenantDatabase } : {}),
    ...(options.validator ? { validator: options.validator } : {}),
  });
  const { app, store, git, signingKey, runner } = berth;
  const gitdir = berth.config.appsRepo;
  if (!options.validator) await berth.validator.ready;
  // Periodic cleanup and repo maintenance stay off: tests run those tasks themselves.
  await berth.start({ background: false });

  let contract: ReturnType<typeof openApiChecker> | undefined;
  /** Every response of `call` must match the served OpenAPI document: a mismatch fails the test that made the call. */
  async function checkContract(method: string, path: string, res: Response, text: string): Promise<void> {
    contract ??= openApiChecker(await (await app.request('/api/v1/openapi.json')).json());
    const problems = contract.check({ method, path, status: res.status, contentType: res.headers.get('Content-Type'), text });
    if (problems.length > 0) throw new Error(`response does not match the OpenAPI document:\n${problems.join('\n')}`);
  }

  /** JSON request helper: returns status, headers and the parsed body (checked against the OpenAPI document). */
  async function call(method: string, path: string, init: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['Content-Type'] ??= 'application/json';
    const res = await app.request(path, {
      method,
      headers,
      ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    await checkContract(method, path, res, text);
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
    return {
      apps: JSON.stringify(apps),
      deployments: JSON.stringify(deployments),
      users: (await store.users.list()).length,
      head: await git.head('main'),
      jobs: await store.jobs.stats(new Date().toISOString()),
    };
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
      await berth.stopWorkers(5000);
      await berth.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
