import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAppProxy } from '../../src/http/app-proxy.js';
import { startHttpServer, type BerthHttpServer } from '../../src/http/server.js';
import { viaHost } from '../support/app-host.js';
import { createHarness, type Harness } from '../http/harness.js';

/*
 * Headers as a browser sees them on the real socket: token responses are
 * never cached; Berth's own pages and API carry its CSP; a user's app, served
 * through the app proxy on the same port, keeps its own headers.
 */
let h: Harness;
let server: BerthHttpServer;
let upstream: Server;
const DOMAIN = 'apps.localhost';
beforeAll(async () => {
  h = await createHarness();
  upstream = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "default-src 'self' https://cdn.example" });
    res.end('<p>my app</p>');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  server = await startHttpServer({
    fetch: h.app.fetch,
    port: 0,
    hostname: '127.0.0.1',
    limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 1_000, maxConnections: 50 },
    createServer: withAppProxy({ appDomain: DOMAIN, issuer: 'http://berth.test', targets: { proxyTarget: async () => ({ port: upstreamPort }) } }),
  });
}, 120_000);
afterAll(async () => {
  await server.close(100);
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  await h.close();
});

const base = () => `http://127.0.0.1:${server.port}`;
const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('response headers', () => {
  it('token responses, and their failures, carry Cache-Control: no-store', async () => {
    const signup = await fetch(
      `${base()}/api/v1/auth/signup`,
      json({ username: 'alice', email: 'alice@example.com', password: 'correct horse battery staple' }),
    );
    expect(signup.status).toBe(201);
    expect(signup.headers.get('cache-control')).toBe('no-store');
    const login = await fetch(`${base()}/api/v1/auth/login`, json({ username: 'alice', password: 'correct horse battery staple' }));
    expect(login.headers.get('cache-control')).toBe('no-store');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const refresh = await fetch(`${base()}/api/v1/auth/refresh`, { method: 'POST', headers: { Cookie: cookie } });
    expect(refresh.status).toBe(200);
    expect(refresh.headers.get('cache-control')).toBe('no-store');
    const wrong = await fetch(`${base()}/api/v1/auth/login`, json({ username: 'alice', password: 'wrong password here' }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('cache-control')).toBe('no-store');
  });

  it("Berth's UI and API carry its CSP; a proxied app keeps its own", async () => {
    for (const path of ['/', '/healthz', '/api/v1/openapi.json', '/api/v1/apps']) {
      const res = await fetch(`${base()}${path}`, { headers: { Accept: 'text/html' } });
      expect(res.headers.get('content-security-policy'), path).toMatch(/default-src 'self'/);
      expect(res.headers.get('content-security-policy'), path).not.toContain('cdn.example');
    }
    const app = await viaHost(server.port, `web--alice.${DOMAIN}`, '/');
    expect(app.status).toBe(200);
    expect(app.headers['content-security-policy']).toBe("default-src 'self' https://cdn.example");
  });
});
