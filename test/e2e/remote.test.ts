import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitsOf, fsckStrict } from '../support/git-cli.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { client, helloFiles, startServer, type RunningServer } from './server.js';

const CREDENTIALS = { username: 'berth-bot', password: 'remote-token-0123456789' };
let root: string;
let remote: string;
let gitServer: GitHttpServer;
let server: RunningServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'berth-remote-e2e-'));
  mkdirSync(join(root, 'served'));
  remote = join(root, 'served', 'apps.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  execFileSync('git', ['--git-dir', remote, 'config', 'http.receivepack', 'true']);
  gitServer = await startGitHttpServer({ root: join(root, 'served'), auth: CREDENTIALS });
  server = await startServer(join(root, 'data'), {
    GIT_REMOTE_URL: `${gitServer.url}/apps.git`,
    GIT_REMOTE_USERNAME: CREDENTIALS.username,
    GIT_REMOTE_TOKEN: CREDENTIALS.password,
  });
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await gitServer?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('Berth mirroring a remote Git host over smart HTTP', () => {
  it('seeds an empty remote on first start and pushes every deploy to it, never logging the token', async () => {
    // The skeleton reached the empty remote before anything else.
    expect(commitsOf(remote).map((c) => c.message.split('\n')[0])).toEqual(['Initialise apps repository']);
    const api = client(server.url);
    const token = await api.signup('alice');
    expect((await api.call('POST', '/api/v1/apps', { token, body: { name: 'todo', files: helloFiles('v1'), entrypoint: 'main.py' } })).status).toBe(201);
    const deploy = await api.call('POST', '/api/v1/apps/alice/todo/deploy', { token, body: { message: 'over the wire' } });
    expect(deploy.status).toBe(202);
    const done = await api.waitFinal(token, deploy.body.deployment.id);
    expect(done.status).toBe('committed');
    const pushed = commitsOf(remote);
    expect(pushed.at(-1)?.sha).toBe(done.commit);
    expect(pushed.at(-1)?.message).toContain(`Berth-Request: ${deploy.body.deployment.id}`);
    fsckStrict(remote);
    expect(server.output()).not.toContain(CREDENTIALS.password);
  });
});
