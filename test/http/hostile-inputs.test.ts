import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/auth/tokens.js';
import { AUDIENCE, createHarness, ISSUER, type Harness } from './harness.js';

let h: Harness;
let alice: string;
let bob: string;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  h = await createHarness({ bodyLimitBytes: 64 * 1024, githubSecret: 'gh-secret', fluxHmacKey: 'flux-key' });
  alice = await h.signup('alice');
  bob = await h.signup('bob');
  const created = await h.call('POST', '/api/v1/apps', { token: alice, body: { name: 'todo', template: 'hello' } });
  expect(created.status).toBe(201);
});
afterAll(async () => h?.close());

/** Every hostile request must be a 4xx with API.md's error shape and change nothing. */
async function expectRefused(request: () => Promise<{ status: number; body: Record<string, unknown> }>, status: number, code?: string) {
  const before = await h.snapshot();
  const res = await request();
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ error: { code: code ?? expect.any(String), message: expect.any(String) } });
  expect(await h.snapshot()).toEqual(before);
  return res;
}

describe('error mapping and validation', () => {
  it('answers an unknown route with a JSON 404', async () => {
    await expectRefused(() => h.call('GET', '/api/v1/nope', { token: alice }), 404, 'not_found');
  });

  it('refuses malformed JSON, non-JSON bodies and wrong shapes with 400', async () => {
    await expectRefused(() => h.call('POST', '/api/v1/apps', { token: alice, body: '{"name": "x",' }), 400, 'invalid_input');
    await expectRefused(
      () => h.call('POST', '/api/v1/apps', { token: alice, body: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
      400,
      'invalid_input',
    );
    await expectRefused(() => h.call('POST', '/api/v1/apps', { token: alice, body: { name: 42 } }), 400, 'invalid_input');
  });

  it('refuses bad names, paths and env with 400', async () => {
    for (const name of ['Bad', 'a--b', 'x'.repeat(31), '../etc', '']) {
      await expectRefused(() => h.call('POST', '/api/v1/apps', { token: alice, body: { name, template: 'hello' } }), 400);
    }
    for (const path of ['../main.py', '.env.py', 'a/../../b.py', 'Main.py', '/abs.py', 'x.exe']) {
      await expectRefused(
        () => h.call('PUT', '/api/v1/apps/alice/todo/draft', { token: alice, body: { files: { [path]: 'app = 1\n' }, entrypoint: 'main.py' } }),
        400,
      );
    }
    await expectRefused(
      () =>
        h.call('PUT', '/api/v1/apps/alice/todo/draft', {
          token: alice,
          body: { files: { 'main.py': 'app=1\n' }, entrypoint: 'main.py', env: { 'lower-case': 'x' } },
        }),
      400,
    );
    await expectRefused(
      () =>
        h.call('PUT', '/api/v1/apps/alice/todo/draft', {
          token: alice,
          body: { files: { 'main.py': 'app=1\n' }, entrypoint: 'main.py', env: { BIG: 'x'.repeat(5000) } },
        }),
      400,
    );
    const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`V${i}`, 'x']));
    await expectRefused(
      () => h.call('PUT', '/api/v1/apps/alice/todo/draft', { token: alice, body: { files: { 'main.py': 'app=1\n' }, entrypoint: 'main.py', env: tooMany } }),
      400,
    );
  });

  it('answers invalid code on deploy with 422 and the problems, queueing nothing', async () => {
    const put = await h.call('PUT', '/api/v1/apps/alice/todo/draft', {
      token: alice,
      body: { files: { 'main.py': 'import os\napp = eval("1")\ndef broken(:\n' }, entrypoint: 'main.py' },
    });
    expect(put.status).toBe(200);
    const res = await expectRefused(() => h.call('POST', '/api/v1/apps/alice/todo/deploy', { token: alice, body: {} }), 422, 'invalid_code');
    const problems = (res.body.error as { details: { problems: { rule: string; line: number }[] } }).details.problems;
    expect(problems.map((p) => p.rule)).toContain('syntax');
  });

  it('answers an over-limit body with 413', async () => {
    await expectRefused(
      () => h.call('PUT', '/api/v1/apps/alice/todo/draft', { token: alice, body: { files: { 'main.py': 'x'.repeat(70 * 1024) }, entrypoint: 'main.py' } }),
      413,
      'payload_too_large',
    );
  });
});

describe('tokens', () => {
  it('refuses missing, forged, alg-none, HS256-confused and expired tokens with 401', async () => {
    const [header, payload] = alice.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forgedClaims = b64({ ...claims, roles: ['admin'], username: 'bob', sub: 'someone' });
    const hsKey = new TextEncoder().encode(JSON.stringify(h.signingKey.publicJwk));
    const expired = await issueAccessToken(h.signingKey, {
      user: { id: 'x', username: 'alice', roles: ['editor'] },
      issuer: ISSUER,
      audience: AUDIENCE,
      now: new Date(Date.now() - 3600_000),
      ttlSeconds: 60,
    });
    const tokens = [
      `${header}.${forgedClaims}.${alice.split('.')[2]}`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: JSON.parse(Buffer.from(header ?? '', 'base64url').toString()).kid }).sign(hsKey),
      expired,
      'not-a-jwt',
    ];
    await expectRefused(() => h.call('GET', '/api/v1/apps'), 401, 'unauthorized');
    for (const token of tokens) {
      await expectRefused(() => h.call('GET', '/api/v1/apps', { token }), 401, 'unauthorized');
      await expectRefused(() => h.call('POST', '/api/v1/apps/alice/todo/deploy', { token, body: {} }), 401, 'unauthorized');
    }
  });

  it("keeps other tenants' apps out of reach (403) and out of lists", async () => {
    await expectRefused(() => h.call('GET', '/api/v1/apps/alice/todo', { token: bob }), 403, 'forbidden');
    await expectRefused(
      () => h.call('PUT', '/api/v1/apps/alice/todo/draft', { token: bob, body: { files: { 'main.py': 'app = 1\n' }, entrypoint: 'main.py' } }),
      403,
    );
    await expectRefused(() => h.call('POST', '/api/v1/apps/alice/todo/deploy', { token: bob, body: {} }), 403);
    await expectRefused(() => h.call('DELETE', '/api/v1/apps/alice/todo', { token: bob }), 403);
    await expectRefused(() => h.call('GET', '/api/v1/ops/commits', { token: bob }), 403);
    await expectRefused(() => h.call('PUT', '/api/v1/admin/users/bob/roles', { token: bob, body: { roles: ['admin'] } }), 403);
    const list = await h.call('GET', '/api/v1/apps', { token: bob });
    expect(list.body.apps).toEqual([]);
  });
});

describe('webhooks', () => {
  const body = JSON.stringify({ ref: 'refs/heads/main' });
  const sign = (key: string) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

  it('refuses forged or unsigned GitHub and Flux deliveries with 401', async () => {
    const github = (signature?: string) =>
      h.call('POST', '/api/v1/webhooks/github', { body, headers: { 'X-GitHub-Event': 'push', ...(signature ? { 'X-Hub-Signature-256': signature } : {}) } });
    await expectRefused(() => github(), 401);
    await expectRefused(() => github(sign('wrong-secret')), 401);
    await expectRefused(() => github('sha256=zz'), 401);
    await expectRefused(() => h.call('POST', '/api/v1/webhooks/flux', { body, headers: { 'X-Signature': sign('gh-secret') } }), 401);
  });

  it('accepts correctly signed deliveries', async () => {
    expect(
      (await h.call('POST', '/api/v1/webhooks/github', { body, headers: { 'X-Hub-Signature-256': sign('gh-secret'), 'X-GitHub-Event': 'push' } })).status,
    ).toBe(202);
    expect((await h.call('POST', '/api/v1/webhooks/flux', { body, headers: { 'X-Signature': sign('flux-key') } })).status).toBe(202);
  });
});
