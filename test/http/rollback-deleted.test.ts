import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOwnedPaths } from '../../src/domain/layout.js';
import { enqueueDeployment } from '../../src/jobs/requests.js';
import { gitOut } from '../support/git-cli.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Git and the store never disagree about whether an app exists: a rollback
 * cannot bring a deleted app back as an orphan the API cannot see.
 */
let h: Harness;
let token: string;
const code = { 'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n' };
beforeAll(async () => {
  h = await createHarness();
  token = await h.signup('alice');
}, 120_000);
afterAll(async () => h.close());

async function settled(id: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const deployment = await h.store.deployments.get(id);
    if (deployment && deployment.status !== 'queued') return deployment.status;
    if (Date.now() > deadline) throw new Error(`deployment ${id} still queued`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The app's paths on the branch, as the git CLI lists them. */
function pathsInGit(app: string): string {
  return gitOut(h.gitdir, ['ls-tree', '--name-only', 'main', '--', ...appOwnedPaths({ tenant: 'alice', app })]).trim();
}

async function deployedApp(name: string): Promise<string> {
  expect((await h.call('POST', '/api/v1/apps', { token, body: { name, files: code, entrypoint: 'main.py' } })).status).toBe(201);
  const deploy = await h.call('POST', `/api/v1/apps/alice/${name}/deploy`, { token, body: {} });
  expect(await settled(deploy.body.deployment.id)).toBe('committed');
  const releases = await h.call('GET', `/api/v1/apps/alice/${name}/releases`, { token });
  return releases.body.releases[0].commit as string;
}

describe('rollback of a deleted app', () => {
  it('is refused with 409 saying how to restore it, and Git keeps the app deleted', async () => {
    const release = await deployedApp('web');
    const removed = await h.call('DELETE', '/api/v1/apps/alice/web', { token });
    expect(removed.status).toBe(202);
    expect(await settled(removed.body.deployment.id)).toBe('committed');
    const head = await h.git.head('main');

    const rollback = await h.call('POST', '/api/v1/apps/alice/web/rollback', { token, body: { to: release } });
    expect(rollback.status).toBe(409);
    expect(rollback.body.error.message).toMatch(/was deleted.*recreate it/);
    await h.runner.idle();
    expect(await h.git.head('main')).toBe(head);
    expect(pathsInGit('web')).toBe('');
    expect((await h.call('GET', '/api/v1/apps/alice/web', { token })).status).toBe(404);
  });

  it('a rollback job queued before the delete ran fails instead of resurrecting the app in Git', async () => {
    const release = await deployedApp('api');
    const removed = await h.call('DELETE', '/api/v1/apps/alice/api', { token });
    expect(await settled(removed.body.deployment.id)).toBe('committed');
    const head = await h.git.head('main');
    // What a rollback accepted just before the delete committed leaves in the queue.
    const user = await h.store.users.byUsername('alice');
    const { deployment } = await enqueueDeployment(h.store, {
      request: { kind: 'rollback', tenant: 'alice', app: 'api', to: release, actor: { id: user!.id, username: 'alice', email: 'alice@example.com' } },
      now: new Date(),
    });
    h.runner.kick();
    expect(await settled(deployment.id)).toBe('failed');
    expect((await h.store.deployments.get(deployment.id))?.error).toMatch(/was deleted/);
    expect(await h.git.head('main')).toBe(head);
    expect(pathsInGit('api')).toBe('');
  });
});
