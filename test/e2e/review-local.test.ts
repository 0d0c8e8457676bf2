import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir } from '../../src/domain/layout.js';
import { fsckStrict, gitOut } from '../support/git-cli.js';
import { client, helloFiles, startServer, type RunningServer } from './server.js';

let dataDir: string;
let server: RunningServer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-review-'));
  server = await startServer(dataDir);
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

const rev = (gitdir: string, ref: string) => gitOut(gitdir, ['rev-parse', ref]).trim();
const branches = (gitdir: string) => gitOut(gitdir, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/berth/']).split('\n').filter(Boolean);

describe('review mode, local backend, on the real server', () => {
  it('opens, supersedes, refuses the author, lands with a trailer on a moved main, reports a conflict, never lands a rejection', async () => {
    const api = client(server.url);
    const gitdir = join(dataDir, 'apps.git');
    const alice = await api.signup('alice'); // the first account: admin
    const bobAtSignup = await api.signup('bob');
    expect((await api.call('PUT', '/api/v1/admin/users/bob/roles', { token: alice, body: { roles: ['reviewer'] } })).status).toBe(200);
    // Roles travel in the access token: bob signs in again as a reviewer.
    const login = await api.call('POST', '/api/v1/auth/login', { body: { username: 'bob', password: 'correct horse battery staple' } });
    const bob = login.body.accessToken as string;
    expect(bob).not.toBe(bobAtSignup);

    // Two apps deployed in auto mode; then only `web` is put under review (a per-app policy).
    for (const name of ['web', 'other']) {
      expect((await api.call('POST', '/api/v1/apps', { token: alice, body: { name, template: 'hello' } })).status).toBe(201);
      const d = await api.call('POST', `/api/v1/apps/alice/${name}/deploy`, { token: alice, body: {} });
      expect((await api.waitFinal(alice, d.body.deployment.id)).status).toBe('committed');
    }
    const policy = await api.call('PUT', '/api/v1/apps/alice/web/policy', { token: alice, body: { mode: 'review' } });
    expect(policy.body.policy).toEqual({ tenant: 'alice', app: 'web', mode: 'review', source: 'app' });
    expect((await api.call('PUT', '/api/v1/apps/alice/web/policy', { token: bob, body: { mode: 'auto' } })).status).toBe(403);

    const deployVersion = async (marker: string) => {
      const draft = await api.call('PUT', '/api/v1/apps/alice/web/draft', {
        token: alice,
        body: { files: helloFiles(marker), entrypoint: 'main.py', env: {} },
      });
      expect(draft.status).toBe(200);
      const res = await api.call('POST', '/api/v1/apps/alice/web/deploy', { token: alice, body: { message: marker } });
      expect(res.status).toBe(202);
      const deployment = (await api.waitFinal(alice, res.body.deployment.id)) as { status: string; changeRequest?: string; id: string };
      expect(deployment.status).toBe('awaiting_review');
      return { deploymentId: res.body.deployment.id as string, cr: deployment.changeRequest ?? '' };
    };

    // 1. A review deploy leaves main untouched; its branch holds the change.
    const mainBefore = rev(gitdir, 'main');
    const first = await deployVersion('second');
    expect(first.cr).toMatch(/^[0-9a-f]{12}$/);
    expect(rev(gitdir, 'main')).toBe(mainBefore);
    const firstBranch = `berth/alice/web/${first.cr}`;
    expect(branches(gitdir)).toEqual([firstBranch]);
    expect(gitOut(gitdir, ['show', `${firstBranch}:${appDir({ tenant: 'alice', app: 'web' })}/code/main.py`])).toContain('second');
    expect(rev(gitdir, `${firstBranch}~1`)).toBe(mainBefore);

    const listed = await api.call('GET', '/api/v1/change-requests', { token: bob });
    expect(listed.body.changeRequests).toHaveLength(1);
    expect(listed.body.changeRequests[0]).toMatchObject({
      id: first.cr,
      author: 'alice',
      app: 'web',
      state: 'open',
      branch: firstBranch,
      url: `/reviews/${first.cr}`,
    });
    const shown = await api.call('GET', `/api/v1/change-requests/${first.cr}`, { token: bob });
    expect(shown.body.diff.code).toContain('+    return {"message": "second"}');
    expect(shown.body.changeRequest.validation.passed).toBe(true);

    // 2. The author may not approve their own change, admin or not.
    const own = await api.call('POST', `/api/v1/change-requests/${first.cr}/approve`, { token: alice, body: {} });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/someone other than its author/);

    // 3. A second deploy supersedes the first (closed with a note, branch gone).
    const second = await deployVersion('third');
    const old = await api.call('GET', `/api/v1/change-requests/${first.cr}`, { token: bob });
    expect(old.body.changeRequest).toMatchObject({ state: 'superseded' });
    expect(old.body.changeRequest.note).toContain(second.cr);
    expect((await api.call('GET', `/api/v1/deployments/${first.deploymentId}`, { token: alice })).body.deployment.status).toBe('superseded');
    expect(branches(gitdir)).toEqual([`berth/alice/web/${second.cr}`]);
    expect((await api.call('GET', '/api/v1/change-requests', { token: bob })).body.changeRequests.map((c: { id: string }) => c.id)).toEqual([second.cr]);

    // 4. Main moves for another app meanwhile; the reviewer's approval lands exactly one commit on top.
    await api.call('PUT', '/api/v1/apps/alice/other/draft', { token: alice, body: { files: helloFiles('other v2'), entrypoint: 'main.py', env: {} } });
    const other = await api.call('POST', '/api/v1/apps/alice/other/deploy', { token: alice, body: {} });
    expect((await api.waitFinal(alice, other.body.deployment.id)).status).toBe('committed');
    const moved = rev(gitdir, 'main');
    expect(moved).not.toBe(mainBefore);
    const approved = await api.call('POST', `/api/v1/change-requests/${second.cr}/approve`, { token: bob, body: { comment: 'looks good' } });
    expect(approved.status).toBe(200);
    expect(approved.body.changeRequest).toMatchObject({ state: 'merged', approvedBy: ['bob'] });
    expect(gitOut(gitdir, ['rev-list', '--count', `${moved}..main`]).trim()).toBe('1');
    const landed = gitOut(gitdir, ['log', '-1', '--format=%an <%ae>%n%B', 'main']);
    expect(landed).toContain('alice <alice@example.com>');
    expect(landed).toContain('Berth-Reviewed-By: bob <bob@example.com>');
    expect(landed).toContain(`Berth-Request: ${second.deploymentId}`);
    expect(gitOut(gitdir, ['show', `main:${appDir({ tenant: 'alice', app: 'web' })}/code/main.py`])).toContain('third');
    expect(gitOut(gitdir, ['show', `main:${appDir({ tenant: 'alice', app: 'other' })}/code/main.py`])).toContain('other v2');
    const done = await api.call('GET', `/api/v1/deployments/${second.deploymentId}`, { token: alice });
    expect(done.body.deployment).toMatchObject({ status: 'committed', commit: rev(gitdir, 'main') });
    expect(done.body.deployment.timeline.map((t: { stage: string }) => t.stage)).toEqual(expect.arrayContaining(['awaiting_review', 'approved', 'committed']));
    expect(branches(gitdir)).toEqual([]);
    expect((await api.call('POST', `/api/v1/change-requests/${second.cr}/approve`, { token: bob, body: {} })).status).toBe(409);

    // 5. An operator's revert of web on main is not blocked; the open request then conflicts, shown to both.
    const third = await deployVersion('fourth');
    const revert = await api.call('POST', '/api/v1/ops/revert', { token: alice, body: { commit: rev(gitdir, 'main') } });
    expect(revert.status).toBe(202);
    const afterRevert = await waitFor(() => {
      const head = rev(gitdir, 'main');
      return head !== approved.body.changeRequest.mergedCommit ? head : undefined;
    });
    const conflict = await api.call('POST', `/api/v1/change-requests/${third.cr}/approve`, { token: bob, body: {} });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/changed on main since this change was branched/);
    expect(rev(gitdir, 'main')).toBe(afterRevert);
    const seenByAuthor = await api.call('GET', `/api/v1/change-requests/${third.cr}`, { token: alice });
    expect(seenByAuthor.body.changeRequest).toMatchObject({ state: 'open', conflict: { main: afterRevert } });
    const conflicted = await api.call('GET', `/api/v1/deployments/${third.deploymentId}`, { token: alice });
    expect(conflicted.body.deployment.timeline.map((t: { stage: string }) => t.stage)).toContain('conflict');

    // 6. A rejection never lands.
    const fourth = await deployVersion('fifth');
    expect((await api.call('POST', `/api/v1/change-requests/${fourth.cr}/reject`, { token: bob, body: {} })).status).toBe(400);
    const rejected = await api.call('POST', `/api/v1/change-requests/${fourth.cr}/reject`, { token: bob, body: { comment: 'not today' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body.changeRequest).toMatchObject({ state: 'rejected', note: 'rejected by bob: not today' });
    expect(rev(gitdir, 'main')).toBe(afterRevert);
    expect(gitOut(gitdir, ['show', `main:${appDir({ tenant: 'alice', app: 'web' })}/code/main.py`])).not.toContain('fifth');
    expect((await api.call('GET', `/api/v1/deployments/${fourth.deploymentId}`, { token: alice })).body.deployment.status).toBe('rejected');
    expect(branches(gitdir)).toEqual([]);

    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/berth_change_requests_open 0/);
    expect(metrics).toMatch(/berth_change_request_review_seconds_count\{verdict="approve"\} 1/);
    fsckStrict(gitdir);
  }, 120_000);
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
