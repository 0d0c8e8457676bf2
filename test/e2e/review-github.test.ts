import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBerth, type Berth } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { startGitHubApi } from '../support/github-api-server.js';
import { helloFiles } from './server.js';

const CREDENTIALS = { username: 'berth-bot', password: 'remote-token-0123456789' };
const TOKEN = 'ghp_test0123456789';
const SECRET = 'webhook-secret-0123456789';
const PASSWORD = 'correct horse battery staple';

let root: string;
let remote: string;
let gitServer: GitHttpServer;
let github: Awaited<ReturnType<typeof startGitHubApi>>;
let running: Berth | undefined;
const remoteGit = (...args: string[]) => execFileSync('git', ['--git-dir', remote, ...args], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'berth-github-'));
  mkdirSync(join(root, 'served', 'acme'), { recursive: true });
  remote = join(root, 'served', 'acme', 'apps.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  execFileSync('git', ['--git-dir', remote, 'config', 'http.receivepack', 'true']);
  gitServer = await startGitHttpServer({ root: join(root, 'served'), auth: CREDENTIALS });
  github = await startGitHubApi({ bareRepo: remote, token: TOKEN, owner: 'acme', repo: 'apps' });
});
afterAll(async () => {
  // A failed assertion must not leave Berth's workers holding the test process open.
  await running?.stopWorkers(500);
  await running?.close();
  await gitServer?.close();
  await github?.close();
  rmSync(root, { recursive: true, force: true });
});

async function boot(): Promise<Berth> {
  const env = {
    DATA_DIR: join(root, 'data'),
    PUBLIC_URL: 'http://berth.test',
    LOG_LEVEL: 'silent',
    VALIDATE_WORKERS: '1',
    RUNTIME: 'none',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000',
    // The path names the repository pull requests are opened on (acme/apps), as a GitHub remote URL does.
    GIT_REMOTE_URL: `${gitServer.url}/acme/apps.git`,
    GIT_REMOTE_USERNAME: CREDENTIALS.username,
    GIT_REMOTE_TOKEN: CREDENTIALS.password,
    REVIEW_BACKEND: 'github',
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
    GITHUB_WEBHOOK_SECRET: SECRET,
  };
  const berth = await buildBerth(loadConfig(env), { logger: pino({ level: 'silent' }), clusterConfigured: false, defaultMetrics: false, jobs: { pollMs: 50 } });
  await berth.validator.ready;
  await berth.start({ background: false });
  running = berth;
  return berth;
}

async function call(berth: Berth, method: string, path: string, init: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}) {
  const res = await berth.app.request(path, {
    method,
    headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), 'Content-Type': 'application/json', ...init.headers },
    ...(init.raw !== undefined ? { body: init.raw } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
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

const signed = (payload: string) => `sha256=${createHmac('sha256', SECRET).update(payload).digest('hex')}`;

describe('review mode with the GitHub backend (Octokit against a local GitHub, git over http-backend)', () => {
  it('opens, finds its pull request after a restart, lands on signed-webhook and polled approvals with the sha guard, follows a merge made on GitHub', async () => {
    let berth = await boot();
    const token = (await call(berth, 'POST', '/api/v1/auth/signup', { body: { username: 'alice', email: 'alice@example.com', password: PASSWORD } })).body
      .accessToken as string;
    await call(berth, 'POST', '/api/v1/auth/signup', { body: { username: 'bob', email: 'bob@example.com', password: PASSWORD } });
    expect((await call(berth, 'PUT', '/api/v1/admin/users/bob/roles', { token, body: { roles: ['reviewer'] } })).status).toBe(200);
    const bob = (await call(berth, 'POST', '/api/v1/auth/login', { body: { username: 'bob', password: PASSWORD } })).body.accessToken as string;
    expect((await call(berth, 'PUT', '/api/v1/admin/tenants/alice/policy', { token, body: { mode: 'review' } })).status).toBe(200);
    expect((await call(berth, 'POST', '/api/v1/apps', { token, body: { name: 'web', files: helloFiles('v1'), entrypoint: 'main.py' } })).status).toBe(201);

    const deploy = async (marker: string) => {
      await call(berth, 'PUT', '/api/v1/apps/alice/web/draft', { token, body: { files: helloFiles(marker), entrypoint: 'main.py', env: {} } });
      const res = await call(berth, 'POST', '/api/v1/apps/alice/web/deploy', { token, body: { message: marker } });
      expect(res.status).toBe(202);
      return res.body.deployment.id as string;
    };
    const awaiting = (id: string) =>
      until(async () => {
        const d = await berth.store.deployments.get(id);
        return d?.status === 'awaiting_review' ? d : undefined;
      }, 'awaiting review');
    const mainBefore = remoteGit('rev-parse', 'main');

    // 1. Open, with a crash after the pull request was created but before Berth recorded its number.
    const settings = berth.store.settings;
    const put = settings.put.bind(settings);
    let recordWrites = 0;
    settings.put = (key, value, now) => (key.startsWith('review.cr.') && ++recordWrites === 2 ? new Promise<void>(() => undefined) : put(key, value, now));
    const first = await deploy('v2');
    await until(() => (github.pulls.length === 1 ? true : undefined), 'the pull request');
    await berth.stopWorkers(200);
    await berth.close();
    running = undefined;
    expect(remoteGit('rev-parse', 'main')).toBe(mainBefore);
    expect(github.pulls[0]).toMatchObject({ base: 'main', state: 'open' });
    expect(github.pulls[0]?.head).toMatch(/^berth\/alice\/web\/[0-9a-f]{12}$/);
    expect(github.pulls[0]?.body).toContain('Validation: passed');
    expect(github.pulls[0]?.body).toContain('### Rendered manifests');

    // After the restart, the list misses it once (GitHub's eventual consistency): create answers 422 "already exists" and Berth adopts it.
    github.knobs.listMissesOnce = true;
    berth = await boot();
    const opened = await awaiting(first);
    expect(github.pulls).toHaveLength(1);
    expect(github.calls.filter((c) => c.startsWith('POST /repos/acme/apps/pulls ')).map((c) => c.split(' ')[2])).toEqual(['201', '422']);
    const cr = (await call(berth, 'GET', `/api/v1/change-requests/${opened.changeRequest}`, { token: bob })).body.changeRequest;
    expect(cr.url).toBe('https://github.test/acme/apps/pull/1');

    // 2. A signed pull_request_review webhook approves; the first merge meets a 409 (the head moved), shown as a conflict.
    const review = JSON.stringify({
      action: 'submitted',
      review: { state: 'approved', user: { login: 'carol' }, commit_id: cr.commit },
      pull_request: { number: 1, head: { ref: cr.branch } },
    });
    const hook = (payload: string, delivery: string, signature = signed(payload)) =>
      call(berth, 'POST', '/api/v1/webhooks/github', {
        raw: payload,
        headers: { 'X-GitHub-Event': 'pull_request_review', 'X-GitHub-Delivery': delivery, 'X-Hub-Signature-256': signature },
      });
    expect((await hook(review, 'd-forged', signed('something else'))).status).toBe(401);
    github.knobs.conflictOnceOnMerge = true;
    const refused = await hook(review, 'd-1');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('Head branch was modified');
    expect(remoteGit('rev-parse', 'main')).toBe(mainBefore);
    // The same delivery again is a replay: ignored, nothing merges.
    expect((await hook(review, 'd-1')).status).toBe(202);
    expect(remoteGit('rev-parse', 'main')).toBe(mainBefore);
    // A fresh delivery of the approval lands it: GitHub still computing mergeability once, then the squash merge with the sha guard.
    github.pulls[0]!.computing = 1;
    expect((await hook(review, 'd-2')).status).toBe(202);
    const merged = (await call(berth, 'GET', `/api/v1/change-requests/${cr.id}`, { token: bob })).body.changeRequest;
    expect(merged).toMatchObject({ state: 'merged', approvedBy: ['carol'], mergedCommit: remoteGit('rev-parse', 'main') });
    const landed = remoteGit('log', '-1', '--format=%an <%ae>%n%B', 'main');
    expect(landed).toContain('alice <alice@example.com>');
    expect(landed).toContain('Berth-Reviewed-By: carol <carol@users.noreply.github.com>');
    expect(landed).toContain(`Berth-Request: ${first}`);
    expect(remoteGit('rev-list', '--count', `${mainBefore}..main`)).toBe('1');
    expect(github.calls.some((c) => c.startsWith('PUT /repos/acme/apps/pulls/1/merge 200'))).toBe(true);
    // GitHub deleted the head branch itself; Berth's delete met 422 "Reference does not exist" and carried on.
    expect(github.calls.filter((c) => /^DELETE \/repos\/acme\/apps\/git\/refs\/\S+ 422$/.test(c))).toHaveLength(1);
    expect((await berth.store.deployments.get(first))?.status).toBe('committed');

    // 3. Polled: a person approves on GitHub and no webhook arrives; the poll's conditional requests answer 304 until something changes.
    const second = await deploy('v3');
    await awaiting(second);
    const services = berthServices(berth);
    expect(await services.poll()).toBe(0);
    const before304 = github.notModified();
    expect(await services.poll()).toBe(0);
    expect(github.notModified()).toBe(before304 + 1);
    github.review(2, 'dave', 'APPROVED');
    expect(await services.poll()).toBe(1);
    expect((await berth.store.deployments.get(second))?.status).toBe('committed');
    expect(remoteGit('log', '-1', '--format=%B', 'main')).toContain('Berth-Reviewed-By: dave <dave@users.noreply.github.com>');
    expect(github.pulls[1]?.reviews.map((r) => r.login)).toEqual(['dave']);

    // 4. Bob approves in Berth: a GitHub review by Berth's token, then the merge.
    const third = await deploy('v4');
    const waiting = await awaiting(third);
    const approved = await call(berth, 'POST', `/api/v1/change-requests/${waiting.changeRequest}/approve`, { token: bob, body: { comment: 'fine by me' } });
    expect(approved.status).toBe(200);
    expect(github.pulls[2]?.reviews).toMatchObject([{ login: 'berth-bot', state: 'APPROVED', body: 'fine by me' }]);
    expect(remoteGit('log', '-1', '--format=%B', 'main')).toContain('Berth-Reviewed-By: bob <bob@example.com>');

    // 5. Someone presses Merge on GitHub: the poll picks it up and the deployment goes on.
    const fourth = await deploy('v5');
    await awaiting(fourth);
    const sha = github.mergeAsPerson(4, 'erin');
    expect(await services.poll()).toBe(1);
    expect(await berth.store.deployments.get(fourth)).toMatchObject({ status: 'committed', commit: sha });

    expect(github.problems).toEqual([]);
    await berth.stopWorkers(2000);
    await berth.close();
    running = undefined;
  }, 120_000);
});

/** The GitHub sync the periodic task runs, called directly so the test decides when a poll happens. */
function berthServices(berth: Berth) {
  const sync = berth.services.githubReviews;
  if (!sync) throw new Error('Berth was built without the GitHub review sync');
  return sync;
}
