import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitOut } from '../support/git-cli.js';
import { createHarness, type Harness } from './harness.js';

const HMAC_KEY = 'flux-webhook-key-0123456789';
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'flux');
let h: Harness;
let token: string;

/** A real Flux event shape (fixtures), for our app and commit, signed as the generic-hmac Provider signs it. */
function fluxEvent(name: string, revision: string, changes: { timestamp?: string; name?: string } = {}): { body: string; signature: string } {
  const event = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8').replace('REVISION', revision)) as Record<string, unknown> & {
    involvedObject: Record<string, unknown>;
  };
  // The cluster reports after the commit it reports on: now, unless a test says otherwise.
  event.timestamp = changes.timestamp ?? new Date().toISOString();
  if (changes.name) event.involvedObject.name = changes.name;
  return signed(JSON.stringify(event));
}

const signed = (body: string) => ({ body, signature: `sha256=${createHmac('sha256', HMAC_KEY).update(body).digest('hex')}` });

async function post(event: { body: string; signature: string }) {
  return h.call('POST', '/api/v1/webhooks/flux', { body: event.body, headers: { 'Content-Type': 'application/json', 'X-Signature': event.signature } });
}

async function deployCommitted(marker: string): Promise<{ id: string; commit: string }> {
  const draft = await h.call('GET', '/api/v1/apps/alice/todo', { token });
  const files = { ...draft.body.app.draft.files, 'main.py': `from fastapi import FastAPI\n\napp = FastAPI()\n\n# ${marker}\n` };
  await h.call('PUT', '/api/v1/apps/alice/todo/draft', { token, body: { files, entrypoint: 'main.py', env: {} } });
  const accepted = await h.call('POST', '/api/v1/apps/alice/todo/deploy', { token, body: {} });
  for (let i = 0; i < 200; i++) {
    const { body } = await h.call('GET', `/api/v1/deployments/${accepted.body.deployment.id}`, { token });
    if (body.deployment.status === 'committed') return { id: body.deployment.id, commit: body.deployment.commit };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('deploy did not commit');
}

const statusOf = async (id: string) => (await h.call('GET', `/api/v1/deployments/${id}`, { token })).body.deployment;

beforeAll(async () => {
  h = await createHarness({ fluxHmacKey: HMAC_KEY, clusterConfigured: true });
  token = await h.signup('alice');
  await h.call('POST', '/api/v1/apps', { token, body: { name: 'todo', template: 'hello' } });
});
afterAll(async () => h?.close());

describe('Flux events move deployments on from committed', () => {
  it('a healthy reconcile of the commit makes the deployment reconciled, then ready, and the status shows it', async () => {
    const first = await deployCommitted('one');
    expect((await statusOf(first.id)).status).toBe('committed');
    const res = await post(fluxEvent('kustomization-succeeded.json', first.commit));
    expect(res.status).toBe(202);
    expect(res.body.deploymentsMoved).toBe(1);
    const done = await statusOf(first.id);
    expect(done.status).toBe('ready');
    expect(done.timeline.map((t: { stage: string }) => t.stage).slice(-3)).toEqual(['committed', 'reconciled', 'ready']);
    const status = await h.call('GET', '/api/v1/apps/alice/todo/status', { token });
    expect(status.body.cluster).toMatchObject({ configured: true, ready: true, revision: first.commit });
    // The same event again changes nothing.
    expect((await post(fluxEvent('kustomization-succeeded.json', first.commit))).body.deploymentsMoved).toBe(0);
  });

  it('a failed health check of the commit fails the deployment with Flux`s message', async () => {
    const second = await deployCommitted('two');
    await post(fluxEvent('kustomization-health-failed.json', second.commit));
    const failed = await statusOf(second.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^HealthCheckFailed: health check failed after 3m0s/);
    const status = await h.call('GET', '/api/v1/apps/alice/todo/status', { token });
    expect(status.body.cluster).toMatchObject({ configured: true, ready: false });
  });

  it('a later commit going live supersedes a deployment still waiting', async () => {
    const third = await deployCommitted('three');
    const fourth = await deployCommitted('four');
    await post(fluxEvent('kustomization-succeeded.json', fourth.commit));
    expect((await statusOf(third.id)).status).toBe('superseded');
    expect((await statusOf(fourth.id)).status).toBe('ready');
  });

  it('believes only revisions of the branch, and an older event does not move the state back', async () => {
    const oldest = await deployCommitted('six');
    const older = await deployCommitted('seven');
    const newest = await deployCommitted('eight');
    expect((await post(fluxEvent('kustomization-succeeded.json', newest.commit))).body.deploymentsMoved).toBeGreaterThan(0);
    // A revision that is no commit of the branch: ignored, nothing stored.
    expect((await post(fluxEvent('kustomization-health-failed.json', 'f'.repeat(40)))).body.deploymentsMoved).toBe(0);
    // A late event about an older commit: ignored too.
    expect((await post(fluxEvent('kustomization-health-failed.json', oldest.commit))).body.deploymentsMoved).toBe(0);
    const status = await h.call('GET', '/api/v1/apps/alice/todo/status', { token });
    expect(status.body.cluster).toMatchObject({ ready: true, revision: newest.commit });
    expect((await statusOf(older.id)).status).toBe('superseded');
  });

  it('ignores events about other objects, and refuses unsigned ones without moving anything', async () => {
    const fifth = await deployCommitted('five');
    expect((await post(fluxEvent('kustomization-succeeded.json', fifth.commit, { name: 'berth-group-3f' }))).body.deploymentsMoved).toBe(0);
    const forged = fluxEvent('kustomization-succeeded.json', fifth.commit);
    expect((await post({ body: forged.body, signature: `sha256=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await statusOf(fifth.id)).status).toBe('committed');
  });
});

describe('a correctly signed event is still checked before it is believed', () => {
  const clusterStatus = async () => (await h.call('GET', '/api/v1/apps/alice/todo/status', { token })).body.cluster;

  it('drops a replay of an event already applied, also one with the same timestamp as the newest', async () => {
    const nine = await deployCommitted('nine');
    const at = new Date().toISOString();
    expect((await post(fluxEvent('kustomization-health-failed.json', nine.commit, { timestamp: at }))).status).toBe(202);
    expect((await post(fluxEvent('kustomization-succeeded.json', nine.commit, { timestamp: at }))).status).toBe(202);
    const before = await clusterStatus();
    expect(before).toMatchObject({ ready: true, revision: nine.commit });
    expect((await post(fluxEvent('kustomization-health-failed.json', nine.commit, { timestamp: at }))).body.deploymentsMoved).toBe(0);
    expect(await clusterStatus()).toEqual(before);
  });

  it('drops an event older (by its timestamp) than the state already known, though about the same commit', async () => {
    const eleven = await deployCommitted('eleven');
    const now = Date.now();
    expect((await post(fluxEvent('kustomization-succeeded.json', eleven.commit, { timestamp: new Date(now).toISOString() }))).status).toBe(202);
    await post(fluxEvent('kustomization-health-failed.json', eleven.commit, { timestamp: new Date(now - 60_000).toISOString() }));
    expect(await clusterStatus()).toMatchObject({ ready: true, revision: eleven.commit });
    expect((await statusOf(eleven.id)).status).toBe('ready');
  });

  it('drops an event dated before the commit it reports on (years old) or in the future', async () => {
    const twelve = await deployCommitted('twelve');
    const before = await clusterStatus();
    await post(fluxEvent('kustomization-health-failed.json', twelve.commit, { timestamp: '2019-01-01T00:00:00Z' }));
    await post(fluxEvent('kustomization-health-failed.json', twelve.commit, { timestamp: new Date(Date.now() + 3_600_000).toISOString() }));
    expect((await statusOf(twelve.id)).status).toBe('committed');
    expect(await clusterStatus()).toEqual(before);
  });

  it("drops a revision of the branch that is no commit of this app's history", async () => {
    expect((await h.call('POST', '/api/v1/apps', { token, body: { name: 'fresh', template: 'hello' } })).status).toBe(201);
    // On the branch, but from before the app existed (the skeleton's first commit): nothing is stored.
    const [root] = gitOut(h.gitdir, ['rev-list', '--max-parents=0', 'main']).trim().split('\n');
    expect((await post(fluxEvent('kustomization-succeeded.json', root!, { name: 'alice--fresh' }))).status).toBe(202);
    expect(await h.store.settings.get('flux.alice/fresh')).toBeUndefined();
  });

  it('creates no state for an app that does not exist', async () => {
    const fourteen = await deployCommitted('fourteen');
    expect((await post(fluxEvent('kustomization-succeeded.json', fourteen.commit, { name: 'alice--ghost' }))).body.deploymentsMoved).toBe(0);
    expect(await h.store.settings.get('flux.alice/ghost')).toBeUndefined();
  });
});
