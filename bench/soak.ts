/**
 * `npm run soak [-- --minutes N]`: mixed traffic against ONE Berth server on
 * 127.0.0.1 for a bounded time (default 10 minutes; not part of CI), then the
 * figures the hardening issue asks for:
 * - 5xx answers (must be 0);
 * - dropped connections of well-behaved clients (must be 0);
 * - resident memory after warm-up: first vs last minute (flat within 10%);
 * - every accepted deploy committed exactly once (Berth-Request trailers).
 * Traffic: logins, draft edits, validations, deploys, SSE readers, slow
 * clients (a body at a byte a second) and oversized bodies.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, users: { type: 'string', default: '4' } } });
const minutes = Math.min(60, Math.max(0.5, Number(values.minutes)));
const users = Math.min(20, Math.max(1, Number(values.users)));
const ROOT = join(import.meta.dirname, '..');
const PASSWORD = 'correct horse battery staple';

const stats = { requests: 0, fiveXx: 0, dropped: 0, byStatus: new Map<number, number>(), slowCut: 0, slowHeld: 0, oversized413: 0, sseStreams: 0 };
const accepted: string[] = [];
const rss: { at: number; kb: number }[] = [];

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-soak-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      RUNTIME: 'none',
      LOG_LEVEL: 'warn',
      VALIDATE_WORKERS: '1',
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
      RATE_LIMIT_DEPLOY_PER_MINUTE: '100000',
      RATE_LIMIT_VALIDATE_PER_MINUTE: '100000',
      HTTP_REQUEST_TIMEOUT_MS: '10000',
      HTTP_HEADERS_TIMEOUT_MS: '5000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  try {
    await waitReady(base);
    const tokens: string[] = [];
    for (let i = 0; i < users; i++) {
      const res = await call(agent, port, 'POST', '/api/v1/auth/signup', { body: { username: `soak${i}`, email: `soak${i}@example.com`, password: PASSWORD } });
      tokens.push(JSON.parse(res.body).accessToken as string);
      await call(agent, port, 'POST', '/api/v1/apps', { token: tokens[i], body: { name: 'app', template: 'hello' } });
    }
    const started = Date.now();
    const endAt = started + minutes * 60_000;
    const sampler = setInterval(() => rss.push({ at: Date.now() - started, kb: rssKb(server.pid ?? 0) }), 5_000);
    const loops = [
      ...tokens.map((token, i) => editDeployLoop(agent, port, token, `soak${i}`, endAt)),
      ...tokens.map((token, i) => validateLoop(agent, port, token, `soak${i}`, endAt)),
      loginLoop(agent, port, endAt),
      sseLoop(agent, port, tokens[0] ?? '', endAt),
      slowClientLoop(port, endAt),
      oversizedLoop(agent, port, endAt),
    ];
    await Promise.all(loops);
    clearInterval(sampler);
    // Let the queue drain, then count commits per accepted deploy.
    const drainUntil = Date.now() + 60_000;
    while (Date.now() < drainUntil) {
      const open = await Promise.all(
        accepted.slice(-20).map(async (id) => JSON.parse((await call(agent, port, 'GET', `/api/v1/deployments/${id}`, { token: tokens[0] })).body)),
      );
      if (open.every((d: { deployment?: { status: string } }) => d.deployment?.status !== 'queued')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    report(dataDir, started);
  } finally {
    agent.destroy();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A well-behaved client's call: any network error is a dropped connection. */
function call(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  init: { token?: string | undefined; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const payload = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
          ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          stats.requests += 1;
          stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
          if (status >= 500) stats.fiveXx += 1;
          resolve({ status, body });
        });
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      stats.dropped += 1;
      resolve({ status: 0, body: '' });
    });
    req.end(payload);
  });
}

async function editDeployLoop(agent: Agent, port: number, token: string, tenant: string, endAt: number): Promise<void> {
  for (let n = 0; Date.now() < endAt; n++) {
    const files = { 'main.py': `from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"n": ${n}}\n` };
    await call(agent, port, 'PUT', `/api/v1/apps/${tenant}/app/draft`, { token, body: { files, entrypoint: 'main.py', env: { N: String(n) } } });
    const res = await call(agent, port, 'POST', `/api/v1/apps/${tenant}/app/deploy`, { token, body: { message: `soak ${n}` } });
    if (res.status === 202) accepted.push(JSON.parse(res.body).deployment.id as string);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function validateLoop(agent: Agent, port: number, token: string, tenant: string, endAt: number): Promise<void> {
  while (Date.now() < endAt) {
    await call(agent, port, 'POST', `/api/v1/apps/${tenant}/app/validate`, { token, body: {} });
    await call(agent, port, 'GET', `/api/v1/apps/${tenant}/app`, { token });
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function loginLoop(agent: Agent, port: number, endAt: number): Promise<void> {
  while (Date.now() < endAt) {
    await call(agent, port, 'POST', '/api/v1/auth/login', { body: { username: 'soak0', password: PASSWORD } });
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function sseLoop(agent: Agent, port: number, token: string, endAt: number): Promise<void> {
  while (Date.now() < endAt) {
    const id = accepted.at(-1);
    if (id) {
      const res = await call(agent, port, 'GET', `/api/v1/deployments/${id}/events`, { token });
      if (res.status === 200) stats.sseStreams += 1;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A body at a byte a second: the server must cut it (408 / close) within its request timeout. */
async function slowClientLoop(port: number, endAt: number): Promise<void> {
  while (Date.now() < endAt) {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      const opened = Date.now();
      socket.on('error', () => undefined);
      socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
      const drip = setInterval(() => socket.writable && socket.write(' '), 1_000);
      socket.once('close', () => {
        clearInterval(drip);
        if (Date.now() - opened <= 20_000) stats.slowCut += 1;
        else stats.slowHeld += 1;
        resolve();
      });
      setTimeout(() => socket.destroy(), 60_000).unref();
    });
  }
}

async function oversizedLoop(agent: Agent, port: number, endAt: number): Promise<void> {
  const big = JSON.stringify({ username: 'x'.repeat(2 * 1024 * 1024), password: 'y' });
  while (Date.now() < endAt) {
    const res = await call(agent, port, 'POST', '/api/v1/auth/login', { raw: big });
    if (res.status === 413) stats.oversized413 += 1;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function waitReady(base: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ok = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error('server not ready in 90 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function report(dataDir: string, started: number): void {
  const log = execFileSync('git', [`--git-dir=${join(dataDir, 'apps.git')}`, 'log', 'main', '--format=%(trailers:key=Berth-Request,valueonly)'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) if (line.trim()) counts.set(line.trim(), (counts.get(line.trim()) ?? 0) + 1);
  const once = accepted.filter((id) => counts.get(id) === 1).length;
  const twice = accepted.filter((id) => (counts.get(id) ?? 0) > 1).length;
  const missing = accepted.length - once - twice;
  const warm = rss.filter((s) => s.at >= Math.min(60_000, (Date.now() - started) / 5));
  const window = Math.max(1, Math.floor(warm.length / 5));
  const avg = (xs: { kb: number }[]) => xs.reduce((sum, s) => sum + s.kb, 0) / Math.max(1, xs.length);
  const first = avg(warm.slice(0, window));
  const last = avg(warm.slice(-window));
  const drift = first > 0 ? ((last - first) / first) * 100 : 0;
  const figures = {
    minutes,
    requests: stats.requests,
    byStatus: Object.fromEntries([...stats.byStatus].sort(([a], [b]) => a - b)),
    fiveXx: stats.fiveXx,
    droppedWellBehaved: stats.dropped,
    slowClientsCut: stats.slowCut,
    slowClientsHeldOver20s: stats.slowHeld,
    oversized413: stats.oversized413,
    sseStreams: stats.sseStreams,
    deploysAccepted: accepted.length,
    deploysCommittedOnce: once,
    deploysCommittedTwice: twice,
    deploysWithoutCommit: missing,
    rssAfterWarmupMb: { first: Math.round(first / 1024), last: Math.round(last / 1024), driftPercent: Math.round(drift * 10) / 10 },
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  const ok = stats.fiveXx === 0 && stats.dropped === 0 && twice === 0 && missing === 0 && Math.abs(drift) <= 10 && stats.slowHeld === 0;
  process.stdout.write(ok ? 'soak: OK\n' : 'soak: FAILED (see the figures)\n');
  process.exitCode = ok ? 0 : 1;
}

await main();
