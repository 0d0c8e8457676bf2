import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

let h: Harness;
let alice: string;

beforeAll(async () => {
  h = await createHarness({ corsOrigins: ['https://ui.example.com'], authPerMinute: 6, deployPerMinute: 3 });
  alice = await h.signup('alice');
});
afterAll(async () => h?.close());

/** Reads an SSE response to its end: the `stage` events' stages and the final `end` event. */
async function readEvents(res: Response) {
  const text = await res.text();
  const events = text.split('\n\n').filter((block) => block.includes('event:'));
  const parse = (block: string) => ({
    event: /event: ?(.*)/.exec(block)?.[1],
    data: JSON.parse(/data: ?(.*)/.exec(block)?.[1] ?? 'null') as Record<string, unknown>,
  });
  return events.map(parse);
}

describe('headers, CORS, OpenAPI', () => {
  it('sets a request id and security headers on every response', async () => {
    const res = await h.app.request('/healthz', { headers: { 'X-Request-Id': 'client-chosen-id-1' } });
    expect(res.headers.get('X-Request-Id')).toBe('client-chosen-id-1');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
    const other = await h.app.request('/healthz', { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(other.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows only configured origins, with credentials and never *', async () => {
    const preflight = (origin: string) =>
      h.app.request('/api/v1/auth/login', { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
    const ok = await preflight('https://ui.example.com');
    expect(ok.headers.get('Access-Control-Allow-Origin')).toBe('https://ui.example.com');
    expect(ok.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    const evil = await preflight('https://evil.example.com');
    expect(evil.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('serves an OpenAPI 3.1 document built from the route schemas', async () => {
    const res = await h.call('GET', '/api/v1/openapi.json');
    expect(res.body.openapi).toBe('3.1.0');
    const deploy = res.body.paths['/api/v1/apps/{tenant}/{app}/deploy'].post;
    expect(deploy.responses['202']).toBeDefined();
    expect(res.body.paths['/api/v1/apps'].post.requestBody.content['application/json'].schema.properties.name).toBeDefined();
  });

  it('serves the JWKS, health, readiness and metrics', async () => {
    expect((await h.call('GET', '/.well-known/jwks.json')).body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect((await h.call('GET', '/readyz')).status).toBe(200);
    const metrics = await (await h.app.request('/metrics')).text();
    expect(metrics).toContain('berth_http_request_duration_seconds');
    expect(metrics).toContain('berth_job_queue_depth');
  });
});

describe('sessions and rate limits', () => {
  it('puts the refresh token only in an httpOnly SameSite=Strict cookie, and rotates it', async () => {
    const res = await h.app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'correct horse battery staple' }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('Set-Cookie') ?? '';
    expect(cookie).toMatch(/^berth_refresh=[^;]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'user']);
    const token = cookie.split(';')[0] ?? '';
    const refreshed = await h.app.request('/api/v1/auth/refresh', { method: 'POST', headers: { Cookie: token } });
    expect(refreshed.status).toBe(200);
    const reused = await h.app.request('/api/v1/auth/refresh', { method: 'POST', headers: { Cookie: token } });
    expect(reused.status).toBe(401);
  });

  it('limits login attempts per username with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const res = await h.call('POST', '/api/v1/auth/login', { body: { username: 'victim', password: `guess-${i}` } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('Retry-After');
    }
    expect(statuses[0]).toBe(401);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe('the deploy path in-process', () => {
  it('creates from a template, keeps secrets out of responses, deploys as a job and streams the timeline', async () => {
    expect((await h.call('POST', '/api/v1/apps', { token: alice, body: { name: 'hello', template: 'hello' } })).status).toBe(201);
    const draft = await h.call('GET', '/api/v1/apps/alice/hello', { token: alice });
    const put = await h.call('PUT', '/api/v1/apps/alice/hello/draft', {
      token: alice,
      body: { files: draft.body.app.draft.files, entrypoint: 'main.py', env: { GREETING: 'hi', API_KEY: { secret: true, value: 'sk-very-secret' } } },
    });
    expect(put.status).toBe(200);
    expect(put.body.app.draft.env).toEqual({ GREETING: { value: 'hi', secret: false }, API_KEY: { secret: true } });
    expect(JSON.stringify(await h.store.apps.get('alice', 'hello'))).not.toContain('sk-very-secret');
    // No SOPS recipients in this harness: a secret cannot be committed, and nothing is queued.
    const refused = await h.call('POST', '/api/v1/apps/alice/hello/deploy', { token: alice, body: {} });
    expect(refused.status).toBe(400);
    await h.call('PUT', '/api/v1/apps/alice/hello/draft', {
      token: alice,
      body: { files: draft.body.app.draft.files, entrypoint: 'main.py', env: { GREETING: 'hi' } },
    });

    const validate = await h.call('POST', '/api/v1/apps/alice/hello/validate', { token: alice, body: {} });
    expect(validate.body).toEqual({ ok: true, problems: [] });
    const first = await h.call('POST', '/api/v1/apps/alice/hello/deploy', {
      token: alice,
      body: { message: 'first' },
      headers: { 'Idempotency-Key': 'key-1' },
    });
    expect(first.status).toBe(202);
    const again = await h.call('POST', '/api/v1/apps/alice/hello/deploy', {
      token: alice,
      body: { message: 'first' },
      headers: { 'Idempotency-Key': 'key-1' },
    });
    expect(again.body.deployment.id).toBe(first.body.deployment.id);

    const stream = await h.app.request(`/api/v1/deployments/${first.body.deployment.id}/events`, { headers: { Authorization: `Bearer ${alice}` } });
    expect(stream.headers.get('Content-Type')).toContain('text/event-stream');
    const events = await readEvents(stream);
    expect(events.filter((e) => e.event === 'stage').map((e) => e.data.stage)).toEqual(['validated', 'queued', 'committing', 'committed']);
    const end = events.at(-1);
    expect(end?.event).toBe('end');

    const releases = await h.call('GET', '/api/v1/apps/alice/hello/releases', { token: alice });
    expect(releases.body.releases).toHaveLength(1);
    expect(releases.body.releases[0]).toMatchObject({ action: 'deploy', message: 'deploy alice/hello: first' });
    const status = await h.call('GET', '/api/v1/apps/alice/hello/status', { token: alice });
    expect(status.body).toMatchObject({
      git: { commit: releases.body.releases[0].commit },
      cluster: { configured: false, message: 'committed, no cluster configured' },
    });
  });

  it('limits deploys per user with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.call('POST', '/api/v1/apps/alice/hello/deploy', { token: alice, body: {} })).status);
    expect(statuses).toContain(429);
  });
});
