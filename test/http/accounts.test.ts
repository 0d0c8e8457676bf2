import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

/*
 * Accounts as the store has them now, not as a 15-minute token remembers:
 * role changes, removal, a username that is never handed on, and who may
 * sign up. Berth built by src/compose.ts, real SQLite.
 */
let h: Harness;
let admin: string;
const PASSWORD = 'correct horse battery staple';
beforeAll(async () => {
  h = await createHarness();
  admin = await h.signup('alice');
}, 120_000);
afterAll(async () => h.close());

async function login(username: string) {
  const res = await h.app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  return { status: res.status, cookie: (res.headers.get('Set-Cookie') ?? '').split(';')[0] ?? '' };
}

const signupBody = (username: string, invite?: string) => ({
  username,
  email: `${username}@example.com`,
  password: PASSWORD,
  ...(invite ? { invite } : {}),
});

describe('roles and removal take effect on the next request', () => {
  it('takes /ops away from a demoted operator at once, with the same token', async () => {
    const bob = await h.signup('bob');
    expect((await h.call('GET', '/api/v1/ops/commits', { token: bob })).status).toBe(403);
    expect((await h.call('PUT', '/api/v1/admin/users/bob/roles', { token: admin, body: { roles: ['operator'] } })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/ops/commits', { token: bob })).status).toBe(200);
    expect((await h.call('PUT', '/api/v1/admin/users/bob/roles', { token: admin, body: { roles: [] } })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/ops/commits', { token: bob })).status).toBe(403);
  });

  it("refuses a removed account's token everywhere, keeps its apps and never gives its username to someone else", async () => {
    const carol = await h.signup('carol');
    const session = await login('carol');
    expect(session.status).toBe(200);
    expect((await h.call('POST', '/api/v1/apps', { token: carol, body: { name: 'shop', template: 'hello' } })).status).toBe(201);

    const removed = await h.call('DELETE', '/api/v1/admin/users/carol', { token: admin });
    expect(removed.status).toBe(200);
    expect(removed.body.user.username).toBe('carol');

    for (const [method, path, body] of [
      ['GET', '/api/v1/me', undefined],
      ['GET', '/api/v1/apps', undefined],
      ['POST', '/api/v1/apps', { name: 'other', template: 'hello' }],
      ['PUT', '/api/v1/apps/carol/shop/draft', { files: { 'main.py': 'x = 1\n' }, entrypoint: 'main.py', env: {} }],
      ['POST', '/api/v1/apps/carol/shop/deploy', {}],
    ] as const) {
      const res = await h.call(method, path, { token: carol, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect((await h.app.request('/api/v1/auth/refresh', { method: 'POST', headers: { Cookie: session.cookie } })).status).toBe(401);
    expect((await login('carol')).status).toBe(401);

    // The apps stay, owned by the tenant, until deleted.
    const app = await h.call('GET', '/api/v1/apps/carol/shop', { token: admin });
    expect(app.status).toBe(200);
    expect((await h.call('GET', '/api/v1/admin/users', { token: admin })).body.users.map((u: { username: string }) => u.username)).not.toContain('carol');

    // A new person asking for the name gets a refusal, not carol's apps.
    const again = await h.call('POST', '/api/v1/auth/signup', { body: { ...signupBody('carol'), email: 'new-carol@example.com' } });
    expect(again.status).toBe(409);
    const created = await h.call('POST', '/api/v1/admin/users', { token: admin, body: { ...signupBody('carol'), email: 'new2@example.com' } });
    expect(created.status).toBe(409);
  });

  it('does not let an admin remove their own account, and says 404 for an unknown user', async () => {
    expect((await h.call('DELETE', '/api/v1/admin/users/alice', { token: admin })).status).toBe(409);
    expect((await h.call('DELETE', '/api/v1/admin/users/nobody', { token: admin })).status).toBe(404);
    const dave = await h.signup('dave');
    expect((await h.call('DELETE', '/api/v1/admin/users/alice', { token: dave })).status).toBe(403);
  });
});

describe('the signup setting', () => {
  it('defaults to open, and only an admin reads or changes it', async () => {
    expect((await h.call('GET', '/api/v1/admin/signups', { token: admin })).body.mode).toBe('open');
    const erin = await h.signup('erin');
    expect((await h.call('PUT', '/api/v1/admin/signups', { token: erin, body: { mode: 'closed' } })).status).toBe(403);
    expect((await h.call('PUT', '/api/v1/admin/signups', { token: admin, body: { mode: 'sometimes' } })).status).toBe(400);
  });

  it('closed: signups are refused, an admin-created account can log in', async () => {
    expect((await h.call('PUT', '/api/v1/admin/signups', { token: admin, body: { mode: 'closed' } })).body.mode).toBe('closed');
    const refused = await h.call('POST', '/api/v1/auth/signup', { body: signupBody('frank') });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/closed/);
    expect(await h.store.users.byUsername('frank')).toBeUndefined();
    const created = await h.call('POST', '/api/v1/admin/users', { token: admin, body: signupBody('frank') });
    expect(created.status).toBe(201);
    expect(created.body.user.roles).toEqual(['editor']);
    expect((await login('frank')).status).toBe(200);
  });

  it('invite: a signup needs a single-use invite, bound to its username when the admin named one', async () => {
    await h.call('PUT', '/api/v1/admin/signups', { token: admin, body: { mode: 'invite' } });
    expect((await h.call('POST', '/api/v1/auth/signup', { body: signupBody('gina') })).status).toBe(403);
    expect((await h.call('POST', '/api/v1/auth/signup', { body: signupBody('gina', 'not-a-real-invite') })).status).toBe(403);

    const invite = await h.call('POST', '/api/v1/admin/invites', { token: admin, body: {} });
    expect(invite.status).toBe(201);
    expect(invite.body.invite.url).toContain(`/signup?invite=${invite.body.invite.token}`);
    expect((await h.call('POST', '/api/v1/auth/signup', { body: signupBody('gina', invite.body.invite.token) })).status).toBe(201);
    expect((await h.call('POST', '/api/v1/auth/signup', { body: signupBody('hank', invite.body.invite.token) })).status).toBe(403);

    const named = await h.call('POST', '/api/v1/admin/invites', { token: admin, body: { username: 'ivan' } });
    expect((await h.call('POST', '/api/v1/auth/signup', { body: signupBody('mallory', named.body.invite.token) })).status).toBe(403);
    expect((await h.call('POST', '/api/v1/auth/signup', { body: signupBody('ivan', named.body.invite.token) })).status).toBe(201);
    await h.call('PUT', '/api/v1/admin/signups', { token: admin, body: { mode: 'open' } });
  });

  it('lets the very first account in whatever the setting, as admin', async () => {
    const fresh = await createHarness();
    try {
      await fresh.store.settings.put('auth.signups', { mode: 'closed' }, new Date().toISOString());
      const first = await fresh.call('POST', '/api/v1/auth/signup', { body: signupBody('root') });
      expect(first.status).toBe(201);
      expect(first.body.user.roles).toContain('admin');
      expect((await fresh.call('POST', '/api/v1/auth/signup', { body: signupBody('second') })).status).toBe(403);
    } finally {
      await fresh.close();
    }
  });
});
