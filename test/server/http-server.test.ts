import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type BerthHttpServer, type ServerLimits } from '../../src/http/server.js';
import { createHarness, type Harness } from '../http/harness.js';

/*
 * The listening socket as a client meets it: real TCP on 127.0.0.1 in front
 * of Berth built by src/compose.ts, with the limits src/main.ts applies.
 */
let h: Harness;
const servers: BerthHttpServer[] = [];
beforeAll(async () => {
  h = await createHarness({ bodyLimitBytes: 2048 });
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(100)));
  await h.close();
});

async function listen(limits: Partial<ServerLimits> = {}): Promise<BerthHttpServer> {
  const server = await startHttpServer({
    fetch: h.app.fetch,
    port: 0,
    hostname: '127.0.0.1',
    limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 1_000, maxConnections: 50, ...limits },
  });
  servers.push(server);
  return server;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function send(port: number, agent: Agent, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw socket and a promise of everything it received until the server closed it. */
function rawSocket(port: number): Promise<{ socket: Socket; received: Promise<{ text: string; closedAfterMs: number }> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('connect', () => {
      const opened = Date.now();
      let text = '';
      const received = new Promise<{ text: string; closedAfterMs: number }>((done) => {
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('error', () => undefined);
        socket.once('close', () => done({ text, closedAfterMs: Date.now() - opened }));
      });
      resolve({ socket, received });
    });
  });
}

describe('the HTTP server under clients that misbehave', () => {
  it('answers an oversized body with 413 and Connection: close, and the next request on that agent succeeds', async () => {
    const server = await listen();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await send(server.port, agent, 'GET', '/healthz');
      expect(before.status).toBe(200);
      const big = JSON.stringify({ username: 'x'.repeat(10_000), password: 'y' });
      const refused = await send(server.port, agent, 'POST', '/api/v1/auth/login', big);
      expect(refused.status).toBe(413);
      expect(refused.headers.connection).toBe('close');
      expect(JSON.parse(refused.body).error.code).toBe('payload_too_large');
      // The same agent (one socket at a time): it must not reuse the socket the server is closing.
      for (let i = 0; i < 3; i += 1) expect((await send(server.port, agent, 'GET', '/healthz')).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('cuts a body sent at a byte a second at the request timeout, while /healthz keeps answering', async () => {
    const server = await listen({ requestTimeoutMs: 2_000 });
    const { socket, received } = await rawSocket(server.port);
    socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n');
    const drip = setInterval(() => socket.writable && socket.write(' '), 1_000);
    try {
      const agent = new Agent({ keepAlive: false });
      const health = await send(server.port, agent, 'GET', '/healthz');
      expect(health.status).toBe(200);
      const outcome = await received;
      // 2 s timeout, checked every 250 ms; the prober's body was held for 314 s.
      expect(outcome.closedAfterMs).toBeLessThan(5_000);
      expect(outcome.text).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
  });

  it('closes an idle kept-alive socket after the keep-alive timeout', async () => {
    const server = await listen({ keepAliveTimeoutMs: 500 });
    const { socket, received } = await rawSocket(server.port);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const outcome = await received;
    expect(outcome.text).toMatch(/^HTTP\/1\.1 200/);
    expect(outcome.closedAfterMs).toBeLessThan(3_000);
  });

  it('refuses connections beyond the maximum, and serves again once they are gone', async () => {
    const server = await listen({ maxConnections: 2, headersTimeoutMs: 5_000, requestTimeoutMs: 10_000 });
    const held = [await rawSocket(server.port), await rawSocket(server.port)];
    // Accepting is asynchronous: wait until the server counts both.
    await waitFor(async () => (await connectionCount(server)) === 2);
    const extra = await rawSocket(server.port);
    const outcome = await extra.received;
    expect(outcome.text).toBe('');
    for (const { socket } of held) socket.destroy();
    await waitFor(async () => (await connectionCount(server)) === 0);
    expect((await send(server.port, new Agent({ keepAlive: false }), 'GET', '/healthz')).status).toBe(200);
  });

  it('on drain, answers /readyz and every request 503 with Connection: close, also on a kept-alive socket', async () => {
    const server = await listen({ keepAliveTimeoutMs: 5_000 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await send(server.port, agent, 'GET', '/readyz')).status).toBe(200);
      server.startDrain();
      const ready = await send(server.port, agent, 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.headers.connection).toBe('close');
      const deploy = await send(server.port, agent, 'POST', '/api/v1/apps/alice/web/deploy', '{}');
      expect(deploy.status).toBe(503);
      expect(deploy.headers.connection).toBe('close');
      expect(JSON.parse(deploy.body).error.code).toBe('unavailable');
    } finally {
      agent.destroy();
    }
  });
});

function connectionCount(server: BerthHttpServer): Promise<number> {
  return new Promise((resolve, reject) => server.server.getConnections((err, count) => (err ? reject(err) : resolve(count))));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
