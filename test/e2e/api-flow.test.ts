import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitsOf, freshClone, fsckStrict, gitOut, kustomizeBuild } from '../support/git-cli.js';
import { toolOrSkip } from '../support/tools.js';
import { client, helloFiles, startServer, type RunningServer } from './server.js';

const hasKubectl = toolOrSkip('kubectl', ['version', '--client']);
let dataDir: string;
let server: RunningServer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
  server = await startServer(dataDir);
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('API.md end to end on the real server', () => {
  it('signup → template → validate → deploy → SSE → releases → rollback → delete, checked with git and kustomize', async () => {
    const api = client(server.url);
    const gitdir = join(dataDir, 'apps.git');
    const token = await api.signup('alice');
    expect((await api.call('GET', '/api/v1/me', { token })).body.user).toMatchObject({ username: 'alice', roles: ['editor', 'admin'] });

    const templates = await api.call('GET', '/api/v1/templates', { token });
    expect(templates.body.templates.map((t: { id: string }) => t.id)).toContain('hello');
    expect((await api.call('POST', '/api/v1/apps', { token, body: { name: 'todo', template: 'hello' } })).status).toBe(201);
    expect((await api.call('POST', '/api/v1/apps/alice/todo/validate', { token, body: {} })).body).toEqual({ ok: true, problems: [] });

    const first = await api.call('POST', '/api/v1/apps/alice/todo/deploy', { token, body: { message: 'first version' } });
    expect(first.status).toBe(202);
    const followed = await api.follow(token, first.body.deployment.id);
    expect(followed.stages).toEqual(['validated', 'queued', 'committing', 'committed']);
    const firstCommit = followed.end?.commit ?? '';
    expect(firstCommit).toMatch(/^[0-9a-f]{40}$/);

    // The git CLI agrees: author is the user, trailers name the request, the repo is sound.
    const log = commitsOf(gitdir);
    const head = log.at(-1);
    expect(head?.sha).toBe(firstCommit);
    expect(head?.author).toBe('alice <alice@example.com>');
    expect(head?.message).toContain(`Berth-Request: ${first.body.deployment.id}`);
    expect(head?.message).toContain('Berth-App: alice/todo');
    fsckStrict(gitdir);
    if (hasKubectl) {
      const clone = freshClone(gitdir);
      const objects = kustomizeBuild(join(clone, 'tenants/2b/alice/todo'));
      expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service', 'ConfigMap']));
      rmSync(clone, { recursive: true, force: true });
    }

    // A second version, then a rollback to the first: a new commit restoring the old code.
    const v2 = helloFiles('second');
    expect((await api.call('PUT', '/api/v1/apps/alice/todo/draft', { token, body: { files: v2, entrypoint: 'main.py', env: {} } })).status).toBe(200);
    const second = await api.call('POST', '/api/v1/apps/alice/todo/deploy', { token, body: {} });
    expect((await api.follow(token, second.body.deployment.id)).end?.status).toBe('committed');
    expect(gitOut(gitdir, ['show', 'main:tenants/2b/alice/todo/code/main.py'])).toContain('second');

    const releases = await api.call('GET', '/api/v1/apps/alice/todo/releases', { token });
    expect(releases.body.releases.map((r: { action: string }) => r.action)).toEqual(['deploy', 'deploy']);
    const rollback = await api.call('POST', '/api/v1/apps/alice/todo/rollback', { token, body: { to: firstCommit } });
    expect(rollback.status).toBe(202);
    expect((await api.follow(token, rollback.body.deployment.id)).end?.status).toBe('committed');
    expect(gitOut(gitdir, ['show', 'main:tenants/2b/alice/todo/code/main.py'])).toBe(
      gitOut(gitdir, [`show`, `${firstCommit}:tenants/2b/alice/todo/code/main.py`]),
    );
    const status = await api.call('GET', '/api/v1/apps/alice/todo/status', { token });
    expect(status.body.cluster).toEqual({ configured: false, message: 'committed, no cluster configured' });

    const removed = await api.call('DELETE', '/api/v1/apps/alice/todo', { token });
    expect(removed.status).toBe(202);
    expect((await api.follow(token, removed.body.deployment.id)).end?.status).toBe('committed');
    expect(gitOut(gitdir, ['ls-tree', '-r', '--name-only', 'main'])).not.toContain('tenants/2b/alice/todo/');
    expect((await api.call('GET', '/api/v1/apps/alice/todo', { token })).status).toBe(404);
    fsckStrict(gitdir);

    // Logs are JSON with request ids and never carry the token.
    expect(server.output()).toContain('"reqId"');
    expect(server.output()).not.toContain(token);
    expect(readFileSync(join(dataDir, 'berth.db')).includes(Buffer.from('correct horse'))).toBe(false);
  });

  it('shuts down gracefully on SIGTERM: exit 0 after stopping the runner and closing the store', async () => {
    const api = client(server.url);
    const token = await api.signup('late');
    await api.call('POST', '/api/v1/apps', { token, body: { name: 'last', template: 'hello' } });
    const accepted = await api.call('POST', '/api/v1/apps/late/last/deploy', { token, body: {} });
    expect(accepted.status).toBe(202);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
  });
});
