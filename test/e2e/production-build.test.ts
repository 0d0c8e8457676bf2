import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitOut } from '../support/git-cli.js';
import { client, freePort, helloFiles } from './server.js';

/*
 * What production runs, from what is committed: a fresh clone of this
 * branch, `npm run build`, then `node dist/main.js` as the one process (as
 * PID 1 of Berth's image). Templates, starters, the apps-repo skeleton and
 * the web UI must all resolve from dist/, and SIGTERM must drain: /readyz
 * 503 at once, new requests 503 with Connection: close, accepted work
 * committed, then exit 0 within SHUTDOWN_DEADLINE_MS.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'berth-build-'));
const clone = join(scratch, 'berth');
let child: ChildProcess | undefined;

beforeAll(() => {
  execFileSync('git', ['clone', '-q', '--no-hardlinks', ROOT, clone], { stdio: 'pipe' });
  execFileSync('git', ['-C', clone, 'checkout', '-q', execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()], { stdio: 'pipe' });
  // npm ci would need the network: the dependencies of this checkout stand in for it.
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  execFileSync('npm', ['run', 'build'], { cwd: clone, stdio: 'pipe', timeout: 240_000 });
}, 300_000);
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

describe('npm run build && node dist/main.js on a fresh clone', () => {
  it('serves the UI and the API, deploys from a starter, and drains on SIGTERM', async () => {
    const dataDir = join(scratch, 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = '';
    const proc = spawn(process.execPath, ['dist/main.js'], {
      cwd: clone,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
        RUNTIME: 'none',
        SHUTDOWN_DEADLINE_MS: '5000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => proc.once('exit', (code) => resolve({ code, at: Date.now() })));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`dist/main.js exited with ${proc.exitCode}:\n${output}`);
      const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      if (ready?.ok) break;
      if (Date.now() > deadline) throw new Error(`not ready in 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 150));
    }

    const ui = await fetch(`${url}/`, { headers: { Accept: 'text/html' } });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<div id="root"');
    const api = client(url);
    const token = await api.signup('alice');
    const templates = await api.call('GET', '/api/v1/templates', { token });
    expect(templates.body.templates.length).toBeGreaterThan(0);
    expect((await api.call('POST', '/api/v1/apps', { token, body: { name: 'hello', template: 'hello' } })).status).toBe(201);
    const first = await api.call('POST', '/api/v1/apps/alice/hello/deploy', { token, body: {} });
    expect(first.status).toBe(202);
    expect((await api.waitFinal(token, first.body.deployment.id)).status).toBe('committed');

    // A second deploy is accepted, then SIGTERM: the drain starts at once.
    await api.call('PUT', '/api/v1/apps/alice/hello/draft', { token, body: { files: helloFiles('two'), entrypoint: 'main.py', env: {} } });
    const second = await api.call('POST', '/api/v1/apps/alice/hello/deploy', { token, body: {} });
    expect(second.status).toBe(202);
    const signalled = Date.now();
    proc.kill('SIGTERM');
    // The signal takes a moment to arrive; from then on /readyz is 503 with Connection: close until the socket closes.
    let drained: Response | undefined;
    while (proc.exitCode === null) {
      const ready = await fetch(`${url}/readyz`).catch(() => undefined);
      if (!ready) break; // already closed: the jobs were done
      if (ready.status !== 200) {
        drained = ready;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    if (drained) {
      expect(drained.status).toBe(503);
      expect(drained.headers.get('connection')).toBe('close');
    }
    const exit = await exited;
    expect(exit.code, output).toBe(0);
    expect(exit.at - signalled).toBeLessThan(5_000 + 2_000);
    // The deploy accepted before SIGTERM was committed (or is still queued for the next start): never lost.
    const log = gitOut(join(dataDir, 'apps.git'), ['log', '--format=%B', 'main']);
    expect(log).toContain(`Berth-Request: ${first.body.deployment.id}`);
    expect(log).toContain(`Berth-Request: ${second.body.deployment.id}`);
    expect(output).toMatch(/"msg":"stopped"/);
  }, 120_000);
});
