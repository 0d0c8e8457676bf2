/**
 * The service half of `npm run bench`: deploy request → committed latency
 * with 1 and 20 concurrent users, and GET /apps throughput, against the real
 * server (`node --import tsx src/main.ts`) on an apps repo of 1,000 apps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.js';
import type { Templates } from '../src/render/index.js';
import type { RenderSettings } from '../src/render/settings.js';
import { seedWithFastImport } from './git-cli.js';
import { appsRepoFiles, repoFilesOf } from './seed-apps.js';
import { fmt, percentile } from './stats.js';

const ROOT = join(import.meta.dirname, '..');

export async function call(
  url: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function startBerth(dataDir: string, env: Record<string, string> = {}): Promise<{ url: string; port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/sprof'] : []), '--import', 'tsx', 'src/main.ts'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        RATE_LIMIT_AUTH_PER_MINUTE: '100000',
        RATE_LIMIT_DEPLOY_PER_MINUTE: '100000',
        // Commits are measured here, not runner processes (bench/runtime.ts measures those).
        RUNTIME: 'none',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`berth exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, port, child };
    if (Date.now() > deadline) throw new Error('berth not ready in 90 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * PUT the draft (untimed), then time POST deploy until polling sees the
 * deployment leave `queued`: the latency a user waits for their commit. With 20 users the
 * polling interval is longer, so that polling does not become the load.
 */
async function deployAndWait(url: string, token: string, tenant: string, app: string, marker: string, pollMs = 2): Promise<number> {
  const files = { 'main.py': `from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"v": "${marker}"}\n` };
  const draft = await call(url, 'PUT', `/api/v1/apps/${tenant}/${app}/draft`, token, { files, entrypoint: 'main.py', env: {} });
  if (draft.status !== 200) throw new Error(`draft: ${draft.status} ${JSON.stringify(draft.json)}`);
  const start = performance.now();
  const accepted = await call(url, 'POST', `/api/v1/apps/${tenant}/${app}/deploy`, token, {});
  if (accepted.status !== 202) throw new Error(`deploy: ${accepted.status} ${JSON.stringify(accepted.json)}`);
  const id = (accepted.json.deployment as { id: string }).id;
  for (;;) {
    const { json } = await call(url, 'GET', `/api/v1/deployments/${id}`, token);
    const status = (json.deployment as { status: string }).status;
    if (status === 'committed') return performance.now() - start;
    if (status !== 'queued') throw new Error(`deployment ${id} ended ${status}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** A running server with its users and apps created and the validator warm: the untimed half of {@link benchService}. */
export interface PreparedService {
  run(): Promise<string[]>;
  stop(): void;
}

/**
 * Seeds a 1,000-app repository, starts the real server, signs up 20 users
 * with an app each and makes one warm-up deploy (Pyodide loads at start).
 * Nothing here is timed, so the bench runs it beside its other set-up.
 * `apps`: the bench apps' rendered files when the caller has them.
 */
export async function prepareService(
  quick: boolean,
  skeleton: string,
  settings: RenderSettings,
  templates: Templates,
  apps?: readonly (readonly (readonly [string, string])[])[],
): Promise<PreparedService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-service-'));
  let child: ChildProcess | undefined;
  const stop = () => {
    child?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await seedWithFastImport(
      join(dataDir, 'apps.git'),
      apps ? repoFilesOf(skeleton, 1_000, apps, settings, templates) : appsRepoFiles(skeleton, 1_000, settings, templates),
    );
    const started = await startBerth(dataDir);
    child = started.child;
    const url = started.url;
    const users = 20;
    const tokens: string[] = [];
    // The first signup alone (the first user becomes admin), then the others at once.
    const signup = async (u: number) => {
      const res = await call(url, 'POST', '/api/v1/auth/signup', undefined, {
        username: `user${u}`,
        email: `user${u}@bench.invalid`,
        password: 'correct horse battery staple',
      });
      const token = res.json.accessToken as string;
      const created = await call(url, 'POST', '/api/v1/apps', token, { name: 'api', template: 'hello' });
      if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.json)}`);
      return token;
    };
    tokens.push(await signup(0));
    tokens.push(...(await Promise.all(Array.from({ length: users - 1 }, (_, u) => signup(u + 1)))));
    // Warm-up: the validator (Pyodide) loads in the background at start.
    await deployAndWait(url, tokens[0] ?? '', 'user0', 'api', 'warm');
    return { run: () => measureService(quick, url, tokens), stop };
  } catch (error) {
    stop();
    throw error;
  }
}

async function measureService(quick: boolean, url: string, tokens: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  const users = tokens.length;
  const rounds = quick ? 10 : 40;
  const single: number[] = [];
  for (let i = 0; i < rounds; i++) single.push(await deployAndWait(url, tokens[0] ?? '', 'user0', 'api', `s${i}`));
  const perUser = quick ? 3 : 10;
  const concurrent: number[] = [];
  const burstStart = performance.now();
  await Promise.all(
    tokens.map(async (token, u) => {
      for (let i = 0; i < perUser; i++) concurrent.push(await deployAndWait(url, token, `user${u}`, 'api', `c${u}-${i}`, 20));
    }),
  );
  const burstSeconds = (performance.now() - burstStart) / 1000;
  const listRequests = quick ? 400 : 2_000;
  const listStart = performance.now();
  await Promise.all(
    Array.from({ length: 20 }, async (_, w) => {
      for (let i = w; i < listRequests; i += 20) {
        const res = await call(url, 'GET', '/api/v1/apps', tokens[i % users]);
        if (res.status !== 200) throw new Error(`GET /apps: ${res.status}`);
      }
    }),
  );
  const listRate = listRequests / ((performance.now() - listStart) / 1000);
  lines.push('deploy request → committed on a 1,000-app repo (real server, SQLite; POST deploy until GET shows committed):');
  lines.push(`  1 user:    p50 ${fmt(percentile(single, 50))} ms  p95 ${fmt(percentile(single, 95))} ms  (n=${single.length})`);
  lines.push(
    `  20 users:  p50 ${fmt(percentile(concurrent, 50))} ms  p95 ${fmt(percentile(concurrent, 95))} ms  (n=${concurrent.length}, ${(concurrent.length / burstSeconds).toFixed(1)} deploys/s)`,
  );
  lines.push(`GET /apps: ${listRate.toFixed(0)} requests/s (20 concurrent clients, ${listRequests} requests)`);
  return lines;
}

/** Prepares and runs the service bench in one go (`--service-only`). */
export async function benchService(quick: boolean, skeleton: string, settings: RenderSettings, templates: Templates): Promise<string[]> {
  const prepared = await prepareService(quick, skeleton, settings, templates);
  try {
    return await prepared.run();
  } finally {
    prepared.stop();
  }
}
