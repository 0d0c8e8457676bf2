import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendToApp } from '../../src/services/app-request.js';
import { createAppProxy, parseAppHost } from '../../src/http/app-proxy.js';
import { InputError } from '../../src/errors.js';
import { viaHost } from '../support/app-host.js';

const DOMAIN = 'apps.localhost';

describe('app hosts', () => {
  it('names <app>--<tenant>.<APP_DOMAIN>, with or without a port, and nothing else', () => {
    expect(parseAppHost('hello--alice.apps.localhost:8080', DOMAIN)).toEqual({ tenant: 'alice', app: 'hello' });
    expect(parseAppHost('HELLO--alice.apps.localhost', DOMAIN)).toEqual({ tenant: 'alice', app: 'hello' });
    expect(parseAppHost('my-app--bob.apps.localhost', DOMAIN)).toEqual({ tenant: 'bob', app: 'my-app' });
    for (const host of [
      'apps.localhost',
      'hello.apps.localhost',
      'hello--alice.evil.localhost',
      'a--b--c.apps.localhost',
      'x.hello--alice.apps.localhost',
      '--alice.apps.localhost',
      undefined,
    ]) {
      expect(parseAppHost(host, DOMAIN)).toBeUndefined();
    }
  });
});

/** Upstream: a real HTTP server playing the runner; the proxy: a real server in front of it. */
describe('the app proxy', () => {
  let upstream: Server;
  let proxy: Server;
  let proxyPort = 0;
  let state: 'up' | 'asleep' | 'failed' | 'absent' = 'up';
  let sawFirst: () => void = () => undefined;
  const firstSeen = new Promise<void>((resolve) => (sawFirst = resolve));

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-from-app': 'yes' });
        res.write('first\n');
        // The rest only once the client has seen the first chunk: a buffering proxy would hang here.
        void firstSeen.then(() => res.end('second\n'));
        return;
      }
      if (req.url === '/slow') return; // never answers
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': 'app=1; Path=/' });
        res.end(JSON.stringify({ method: req.method, url: req.url, body, headers: req.headers }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const handler = createAppProxy({
      appDomain: DOMAIN,
      issuer: 'http://berth.test',
      idleTimeoutMs: 300,
      targets: {
        proxyTarget: async () => (state === 'up' ? { port: upstreamPort } : { state, message: state === 'failed' ? 'main.py:3: boom' : 'asleep (replicas 0)' }),
      },
    });
    proxy = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as AddressInfo).port;
  });

  afterAll(async () => {
    proxy.closeAllConnections();
    upstream.closeAllConnections();
    await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => upstream.close(r))]);
  });

  const host = 'hello--alice.apps.localhost';

  it("forwards method, path, query and body, and returns the app's status and headers as they are", async () => {
    const res = await viaHost(proxyPort, host, '/items/7?sort=asc', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(res.status).toBe(201);
    expect(res.headers['set-cookie']).toEqual(['app=1; Path=/']);
    const echoed = JSON.parse(res.body) as { method: string; url: string; body: string; headers: Record<string, string> };
    expect(echoed).toMatchObject({ method: 'PUT', url: '/items/7?sort=asc', body: '{"a":1}' });
    expect(echoed.headers['x-forwarded-host']).toBe(host);
    expect(echoed.headers['x-forwarded-proto']).toBe('http');
  });

  it("strips a Berth access token and the refresh cookie, keeps the app's own credentials", async () => {
    const berthJwt = `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify({ iss: 'http://berth.test', sub: 'u1' })).toString('base64url')}.c2ln`;
    const stripped = JSON.parse(
      (await viaHost(proxyPort, host, '/', { headers: { authorization: `Bearer ${berthJwt}`, cookie: 'berth_refresh=r1' } })).body,
    ) as { headers: Record<string, string> };
    expect(stripped.headers.authorization).toBeUndefined();
    expect(stripped.headers.cookie).toBeUndefined();
    const otherJwt = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ iss: 'https://other.example' })).toString('base64url')}.c2ln`;
    const kept = JSON.parse((await viaHost(proxyPort, host, '/', { headers: { authorization: `Bearer ${otherJwt}`, cookie: 'session=s' } })).body) as {
      headers: Record<string, string>;
    };
    expect(kept.headers.authorization).toBe(`Bearer ${otherJwt}`);
    expect(kept.headers.cookie).toBe('session=s');
  });

  it('streams the answer', async () => {
    const chunks = await new Promise<string[]>((resolve, reject) => {
      const seen: string[] = [];
      const req = request({ host: '127.0.0.1', port: proxyPort, path: '/stream', headers: { host }, agent: false }, (res) => {
        expect(res.headers['x-from-app']).toBe('yes');
        res.on('data', (chunk: Buffer) => {
          seen.push(chunk.toString());
          if (seen.length === 1) sawFirst();
        });
        res.on('end', () => resolve(seen));
      });
      req.on('error', reject);
      req.end();
    });
    expect(chunks.join('')).toBe('first\nsecond\n');
    expect(chunks[0]).toBe('first\n');
  });

  it('answers 504 when the app does not answer in time', async () => {
    const res = await viaHost(proxyPort, host, '/slow');
    expect(res.status).toBe(504);
  });

  it('says clearly when the app is asleep (503), failing (502) or unknown (404)', async () => {
    try {
      state = 'asleep';
      const asleep = await viaHost(proxyPort, host);
      expect(asleep.status).toBe(503);
      expect(asleep.body).toContain('asleep');
      expect(asleep.headers['retry-after']).toBe('30');
      state = 'failed';
      const failed = await viaHost(proxyPort, host);
      expect(failed.status).toBe(502);
      expect(failed.body).toContain('main.py:3: boom');
      state = 'absent';
      expect((await viaHost(proxyPort, host)).status).toBe(404);
      expect((await viaHost(proxyPort, 'not-an-app.apps.localhost')).status).toBe(404);
    } finally {
      state = 'up';
    }
  });
});

describe('the test panel request', () => {
  it('caps the answer at 1 MiB and says it was cut', async () => {
    const big = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(3 * 1024 * 1024));
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    try {
      const port = (big.address() as AddressInfo).port;
      const answer = await sendToApp(new URL('http://hello--alice.apps.localhost/'), { method: 'GET', path: '/big' }, { host: '127.0.0.1', port });
      expect(answer).toMatchObject({ status: 200, truncated: true });
      expect(answer.body.length).toBe(1024 * 1024);
    } finally {
      big.closeAllConnections();
      await new Promise((r) => big.close(r));
    }
  });

  it("stays on the app's own host", async () => {
    const base = new URL('http://hello--alice.apps.localhost:1/');
    for (const path of ['//evil.example/x', 'http://evil.example/', 'x', '/\\evil.example']) {
      await expect(sendToApp(base, { method: 'GET', path })).rejects.toBeInstanceOf(InputError);
    }
    await expect(sendToApp(base, { method: 'GET', path: '/', headers: { Host: 'evil.example' } })).rejects.toBeInstanceOf(InputError);
  });
});
