import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshCookieOptions, REFRESH_COOKIE, clearedRefreshCookieOptions } from '../../src/auth/cookies.js';
import { loadOrCreateSigningKey } from '../../src/auth/keys.js';
import { bearerAuth, type AuthVariables } from '../../src/auth/middleware.js';
import { createAuthService, type AuthService } from '../../src/auth/service.js';
import { BerthError } from '../../src/errors.js';
import { openTestStore, tempDir } from './support/stores.js';

let opened: ReturnType<typeof openTestStore>;
let auth: AuthService;
let token: string;
const app = new Hono<{ Variables: AuthVariables }>();

beforeAll(async () => {
  const dir = tempDir();
  const signingKey = await loadOrCreateSigningKey({ dir: dir.dir });
  dir.cleanup();
  opened = openTestStore();
  auth = createAuthService({ store: opened.store, signingKey, issuer: 'https://berth.test', audience: 'berth' });
  token = (await auth.signup({ username: 'alice', email: 'a@example.org', password: 'a good passphrase' })).accessToken;
  // Stands in for the service's one onError: the middleware itself maps nothing.
  app.onError((error, c) =>
    c.json(
      { code: error instanceof BerthError ? error.code : 'internal', message: error.message },
      error instanceof BerthError && error.code === 'unauthorized' ? 401 : 500,
    ),
  );
  app.use('/api/*', bearerAuth(auth));
  app.get('/api/me', (c) => c.json(c.var.principal));
});
afterAll(async () => opened.cleanup());

describe('bearer middleware', () => {
  it('sets the principal from a valid bearer token', async () => {
    const response = await app.request('/api/me', { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ username: 'alice', tenant: 'alice', source: 'local' });
    const lower = await app.request('/api/me', { headers: { Authorization: `bearer ${token}` } });
    expect(lower.status).toBe(200);
  });

  it('answers missing, empty, malformed and forged credentials with a 401 that echoes nothing', async () => {
    const headers: (string | undefined)[] = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from('alice:pw').toString('base64')}`,
      `Bearer ${token} extra`,
      `Token ${token}`,
      `Bearer ${token.slice(0, -3)}xyz`,
      'Bearer a.b.c',
    ];
    for (const header of headers) {
      const response = await app.request('/api/me', header === undefined ? {} : { headers: { Authorization: header } });
      expect(response.status).toBe(401);
      const body = await response.text();
      expect(body).toContain('unauthorized');
      expect(body).not.toContain(token.slice(10, 40));
    }
  });

  it('never reads a token from the query string (it would land in access logs)', async () => {
    const response = await app.request(`/api/me?access_token=${token}`);
    expect(response.status).toBe(401);
  });
});

describe('refresh cookie', () => {
  it('is httpOnly, SameSite=Strict, scoped to /api/v1/auth, Secure when asked, and clearable', async () => {
    const cookies = new Hono();
    cookies.get('/set', (c) => {
      setCookie(c, REFRESH_COOKIE, 'value', refreshCookieOptions({ secure: true }));
      return c.body(null, 204);
    });
    cookies.get('/clear', (c) => {
      setCookie(c, REFRESH_COOKIE, '', clearedRefreshCookieOptions({ secure: false }));
      return c.body(null, 204);
    });
    const set = (await cookies.request('/set')).headers.get('set-cookie') ?? '';
    expect(set).toBe('berth_refresh=value; Max-Age=2592000; Path=/api/v1/auth; HttpOnly; Secure; SameSite=Strict');
    const cleared = (await cookies.request('/clear')).headers.get('set-cookie') ?? '';
    expect(cleared).toMatch(/Max-Age=0/);
    expect(cleared).not.toMatch(/Secure/);
  });
});
