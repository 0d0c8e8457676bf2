import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { decryptSops } from 'sops-age';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gitOut } from '../support/git-cli.js';
import { createHarness, type Harness } from './harness.js';

const SECRET = 'sk-live-0123456789-do-not-leak';
const DB_URI = 'mongodb://tenant_alice:derived-password-xyz@mongo.databases.svc:27017/user_alice?authSource=user_alice';

let h: Harness;
let identity: string;
let token: string;
const provisioned: string[] = [];

beforeAll(async () => {
  identity = await generateX25519Identity();
  h = await createHarness({
    sopsRecipients: [await identityToRecipient(identity)],
    // The MongoDB side of provisioning needs a server (tested where MONGODB_URI is set); here it answers as it would.
    tenantDatabase: {
      ensure: async (tenant) => {
        provisioned.push(tenant);
        return { uri: DB_URI };
      },
    },
  });
  token = await h.signup('alice');
});
afterAll(async () => h?.close());

describe('secret env values and the tenant database', () => {
  it('reach Git only SOPS-encrypted to the cluster key, with the database URI among them, and never in plaintext anywhere', async () => {
    expect((await h.call('POST', '/api/v1/apps', { token, body: { name: 'todo', template: 'hello' } })).status).toBe(201);
    const draft = await h.call('GET', '/api/v1/apps/alice/todo', { token });
    const put = await h.call('PUT', '/api/v1/apps/alice/todo/draft', {
      token,
      body: { files: draft.body.app.draft.files, entrypoint: 'main.py', env: { GREETING: 'hi', API_KEY: { secret: true, value: SECRET } } },
    });
    expect(put.status).toBe(200);
    const deploy = await h.call('POST', '/api/v1/apps/alice/todo/deploy', { token, body: {} });
    expect(deploy.status).toBe(202);
    let status = '';
    for (let i = 0; i < 200 && status !== 'committed'; i++) {
      status = (await h.call('GET', `/api/v1/deployments/${deploy.body.deployment.id}`, { token })).body.deployment.status;
      if (status === 'failed') throw new Error('deploy failed');
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe('committed');
    expect(provisioned).toEqual(['alice']);

    // Nothing secret in the whole history, the store, or any response.
    const history = gitOut(h.gitdir, ['log', '-p', '--all']);
    expect(history).not.toContain(SECRET);
    expect(history).not.toContain('derived-password-xyz');
    expect(JSON.stringify(await h.store.apps.get('alice', 'todo'))).not.toContain(SECRET);
    expect(JSON.stringify((await h.call('GET', '/api/v1/apps/alice/todo', { token })).body)).not.toContain(SECRET);

    // The committed secret decrypts, with an independent decryptor, to exactly the values.
    const encrypted = gitOut(h.gitdir, ['show', 'main:tenants/2b/alice/todo/secret.sops.yaml']);
    const secret = (await decryptSops(encrypted, { secretKey: identity, fileType: 'yaml' })) as { stringData: Record<string, string> };
    expect(secret.stringData).toEqual({ API_KEY: SECRET, MONGODB_URI: DB_URI });
    const deployment = parse(gitOut(h.gitdir, ['show', 'main:tenants/2b/alice/todo/deployment.yaml'])) as {
      spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string; valueFrom?: unknown }> }> } } };
    };
    const env = deployment.spec.template.spec.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'GREETING')?.value).toBe('hi');
    expect(env.find((e) => e.name === 'API_KEY')).toMatchObject({ valueFrom: { secretKeyRef: { name: 'todo-env', key: 'API_KEY' } } });
    expect(env.find((e) => e.name === 'MONGODB_URI')).toMatchObject({ valueFrom: { secretKeyRef: { name: 'todo-env', key: 'MONGODB_URI' } } });
    const flux =
      gitOut(h.gitdir, ['ls-tree', '-r', '--name-only', 'main'])
        .split('\n')
        .find((p) => p.endsWith('/alice/todo.yaml')) ?? '';
    expect(gitOut(h.gitdir, ['show', `main:${flux}`])).toContain('provider: sops');

    const appStatus = await h.call('GET', '/api/v1/apps/alice/todo/status', { token });
    expect(appStatus.body.database).toMatchObject({ attached: true, name: 'user_alice' });
  });
});
