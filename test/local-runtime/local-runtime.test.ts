import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalRuntime, type LocalRuntime } from '../../src/adapters/local-runtime/local-runtime.js';
import { restartDelayMs } from '../../src/adapters/local-runtime/app-supervisor.js';
import { parseMemoryQuantity } from '../../src/adapters/local-runtime/app-folder.js';
import { appEnvForHost } from '../../src/adapters/local-runtime/runner-process.js';
import { appDir } from '../../src/domain/layout.js';
import { killAll, processesWithEnv, waitFor } from '../support/app-host.js';
import { toolOrSkip } from '../support/tools.js';
import { alice, createFixture, helloApp } from '../gitops/setup.js';

const ENTRYPOINT = join(import.meta.dirname, '..', '..', 'runner', 'entrypoint.py');
const python = toolOrSkip('/usr/bin/python3', ['-c', 'import fastapi, uvicorn']);

type Fixture = Awaited<ReturnType<typeof createFixture>>;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { maxApps?: number; python?: string } = {}) {
  const fixture = await createFixture();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-runtime-'));
  const runtime = createLocalRuntime({
    git: fixture.git,
    branch: 'main',
    dataDir,
    python: options.python ?? '/usr/bin/python3',
    entrypointScript: ENTRYPOINT,
    maxApps: options.maxApps ?? 10,
    pollMs: 50,
    memoryCheckMs: 100,
    logger: pino({ level: 'silent' }),
  });
  cleanups.push(async () => {
    await runtime.stop(5_000);
    killAll(processesWithEnv(`CODE_DIR=${join(dataDir, 'runtime')}`));
    rmSync(dataDir, { recursive: true, force: true });
    await fixture.close();
  });
  return { fixture, runtime, dataDir };
}

async function deploy(fixture: Fixture, app: string, greeting = app) {
  const result = await fixture.gitops.deploy(helloApp('alice', app, greeting), { actor: alice, requestId: fixture.nextRequest() });
  return 'commit' in result ? (result.commit ?? '') : '';
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

const ready = (runtime: LocalRuntime, app: string) => waitFor(async () => ((await runtime.status({ tenant: 'alice', app }))?.ready ? true : undefined), 15_000);

describe('restart backoff and quantities', () => {
  it('backs off exponentially with jitter, capped at 30 s', () => {
    expect(restartDelayMs(1, () => 0.5)).toBe(500);
    expect(restartDelayMs(3, () => 0.5)).toBe(2_000);
    expect(restartDelayMs(20, () => 0.5)).toBe(30_000);
    expect(restartDelayMs(1, () => 0)).toBe(400);
    expect(restartDelayMs(1, () => 1)).toBe(600);
  });

  it('reads memory limits as the templates write them', () => {
    expect(parseMemoryQuantity('256Mi')).toBe(256 * 1024 * 1024);
    expect(parseMemoryQuantity('1Gi')).toBe(1024 ** 3);
    expect(parseMemoryQuantity('500M')).toBe(500e6);
    expect(parseMemoryQuantity('lots')).toBeUndefined();
  });
});

describe.skipIf(!python)('the local runtime against a real apps repository', () => {
  it('keeps at most maxApps running: the least recently used goes to sleep, and a request wakes an idle one', async () => {
    const { fixture, runtime } = await setup({ maxApps: 2 });
    for (const app of ['one', 'two', 'three']) await deploy(fixture, app);
    await runtime.start();
    await waitFor(() => (runtime.pids().length === 2 ? true : undefined), 15_000);
    const statuses = await Promise.all(['one', 'two', 'three'].map((app) => runtime.status({ tenant: 'alice', app })));
    const idle = statuses.findIndex((s) => s?.phase === 'asleep');
    expect(statuses[idle]?.message).toContain('LOCAL_RUNTIME_MAX_APPS');
    const idleApp = ['one', 'two', 'three'][idle] ?? '';
    const target = await runtime.proxyTarget({ tenant: 'alice', app: idleApp }, 15_000);
    expect('port' in target && (await get(target.port))).toContain(idleApp);
    await waitFor(() => (runtime.pids().length === 2 ? true : undefined), 15_000);
    const asleep = (await Promise.all(['one', 'two', 'three'].map((app) => runtime.status({ tenant: 'alice', app })))).filter((s) => s?.phase === 'asleep');
    expect(asleep).toHaveLength(1);
  });

  it('restarts a crashed runner with backoff, and shows the crash', async () => {
    const { fixture, runtime } = await setup();
    await deploy(fixture, 'crashy');
    await runtime.start();
    await ready(runtime, 'crashy');
    const [pid] = runtime.pids();
    process.kill(pid ?? 0, 'SIGKILL');
    await waitFor(async () => ((await runtime.status({ tenant: 'alice', app: 'crashy' }))?.phase === 'failed' ? true : undefined));
    expect((await runtime.status({ tenant: 'alice', app: 'crashy' }))?.message).toContain('killed by SIGKILL');
    await ready(runtime, 'crashy');
    expect(runtime.pids()).not.toContain(pid);
    const reasons = (await runtime.events({ tenant: 'alice', app: 'crashy' })).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['BackOff', 'Ready']));
  });

  it('kills a runner over the memory limit its deployment.yaml sets (edited by hand, as an operator might)', async () => {
    const { fixture, runtime } = await setup();
    await deploy(fixture, 'hungry');
    const path = `${appDir({ tenant: 'alice', app: 'hungry' })}/deployment.yaml`;
    await fixture.git.apply({
      branch: 'main',
      requestId: fixture.nextRequest(),
      meta: { author: { name: 'Olga', email: 'olga@example.com' }, message: 'hungry: a tight memory limit' },
      async plan(tree) {
        const text = (await tree.readFile(path)) ?? '';
        return [{ path, content: text.replace(/memory: "256Mi"/, 'memory: "8Mi"') }];
      },
    });
    await runtime.start();
    const oom = await waitFor(async () => (await runtime.events({ tenant: 'alice', app: 'hungry' })).find((e) => e.reason === 'OOMKilled'), 15_000);
    expect(oom.message).toMatch(/over its limit of 8 MiB/);
  });

  it('stops every runner on stop()', async () => {
    const { fixture, runtime } = await setup();
    await deploy(fixture, 'a');
    await deploy(fixture, 'b');
    await runtime.start();
    await ready(runtime, 'a');
    await ready(runtime, 'b');
    const pids = runtime.pids();
    expect(pids).toHaveLength(2);
    await runtime.stop(5_000);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('without python3, FastAPI or uvicorn', () => {
  it('starts anyway and every app says what to install, with the exact command', async () => {
    const { fixture, runtime } = await setup({ python: '/nonexistent/python3' });
    await deploy(fixture, 'hello');
    await runtime.start();
    expect(runtime.problem()).toMatch(/\/nonexistent\/python3 was not found; install them with: .*(apt-get install -y|pip install)/);
    const status = await runtime.status({ tenant: 'alice', app: 'hello' });
    expect(status).toMatchObject({ phase: 'failed', ready: false });
    expect(status?.message).toContain('install them with');
    expect(runtime.pids()).toEqual([]);
  });
});

describe('the environment a runner gets', () => {
  it("keeps the app's own variables and drops the loader's, the interpreter's and the runner's settings", () => {
    expect(appEnvForHost({ GREETING: 'hi', LD_PRELOAD: '/tmp/x.so', PYTHONPATH: '/tmp', BERTH_ALLOWED_IMPORTS: 'os', DATABASE_URL: 'mongodb://x' })).toEqual({
      GREETING: 'hi',
      DATABASE_URL: 'mongodb://x',
    });
  });
});
