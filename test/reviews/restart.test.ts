import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBerth, type Berth } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { gitOut } from '../support/git-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-review-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Berth as the server builds it, over the same data dir each time: a restart. */
async function boot(): Promise<Berth> {
  const env = {
    DATA_DIR: dir,
    PUBLIC_URL: 'http://berth.test',
    LOG_LEVEL: 'silent',
    VALIDATE_WORKERS: '1',
    RUNTIME: 'none',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000',
  };
  const berth = await buildBerth(loadConfig(env), { logger: pino({ level: 'silent' }), clusterConfigured: false, defaultMetrics: false, jobs: { pollMs: 50 } });
  await berth.validator.ready;
  await berth.start({ background: false });
  return berth;
}

async function call(berth: Berth, method: string, path: string, token?: string, body?: unknown) {
  const res = await berth.app.request(path, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const reviewBranches = (gitdir: string) => gitOut(gitdir, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/berth/']).split('\n').filter(Boolean);

describe('review mode across a crash', () => {
  it('a crash after the branch was written but before the request was recorded: the restart reuses the branch, no duplicate', async () => {
    let berth = await boot();
    const gitdir = berth.config.appsRepo;
    const signup = await call(berth, 'POST', '/api/v1/auth/signup', undefined, {
      username: 'alice',
      email: 'alice@example.com',
      password: 'correct horse battery staple',
    });
    const token = signup.body.accessToken as string;
    expect((await call(berth, 'POST', '/api/v1/apps', token, { name: 'web', template: 'hello' })).status).toBe(201);
    expect((await call(berth, 'PUT', '/api/v1/admin/tenants/alice/policy', token, { mode: 'review' })).status).toBe(200);
    const mainBefore = gitOut(gitdir, ['rev-parse', 'main']).trim();

    // The process "dies" at the moment it would record the request: that write never completes.
    const settings = berth.store.settings;
    const put = settings.put.bind(settings);
    settings.put = (key, value, now) => (key.startsWith('review.cr.') ? new Promise<void>(() => undefined) : put(key, value, now));
    const deploy = await call(berth, 'POST', '/api/v1/apps/alice/web/deploy', token, {});
    expect(deploy.status).toBe(202);
    const deploymentId = deploy.body.deployment.id as string;
    const [branch] = await until(() => {
      const found = reviewBranches(gitdir);
      return found.length > 0 && gitOut(gitdir, ['rev-list', '--count', `main..${found[0]}`]).trim() === '1' ? found : undefined;
    }, 'the review branch with its commit');
    expect((await call(berth, 'GET', '/api/v1/change-requests', token)).body.changeRequests).toEqual([]);
    const branchHead = gitOut(gitdir, ['rev-parse', branch ?? '']).trim();
    await berth.stopWorkers(200);
    await berth.close();

    berth = await boot();
    const deployment = await until(async () => {
      const d = await berth.store.deployments.get(deploymentId);
      return d?.status === 'awaiting_review' ? d : undefined;
    }, 'the deployment awaiting review after the restart');
    const listed = (await call(berth, 'GET', '/api/v1/change-requests', token)).body.changeRequests as { id: string; branch: string; commit: string }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: deployment.changeRequest, branch, commit: branchHead });
    expect(reviewBranches(gitdir)).toEqual([branch]);
    expect(gitOut(gitdir, ['rev-parse', branch ?? '']).trim()).toBe(branchHead);
    expect(gitOut(gitdir, ['rev-parse', 'main']).trim()).toBe(mainBefore);
    await berth.stopWorkers(2000);
    await berth.close();
  }, 120_000);
});
