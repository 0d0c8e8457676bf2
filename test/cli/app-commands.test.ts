import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { client, startServer, type RunningServer } from '../e2e/server.js';

let server: RunningServer;
let dataDir: string;
let home: string;

/** Runs `berth ...` in-process and captures what it prints. */
async function berth(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-cli-server-'));
  home = mkdtempSync(join(tmpdir(), 'berth-cli-home-'));
  server = await startServer(dataDir);
  await client(server.url).signup('carol');
  process.env.XDG_CONFIG_HOME = join(home, 'config');
  process.env.BERTH_PASSWORD = 'correct horse battery staple';
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  delete process.env.BERTH_PASSWORD;
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('berth as an API client', () => {
  it('logs in, inits from a template, deploys with a live timeline, lists, shows releases and status, rolls back', async () => {
    const login = await berth('login', '--username', 'carol', '--server', server.url);
    expect(login.code, login.err).toBe(0);
    const credentials = join(home, 'config', 'berth', 'credentials.json');
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(readFileSync(credentials, 'utf8')).toContain('"accessToken"');

    const dir = join(home, 'greeter');
    const init = await berth('init', dir, '--template', 'hello');
    expect(init.code, init.err).toBe(0);
    expect(readFileSync(join(dir, 'main.py'), 'utf8')).toContain('app');

    const first = await berth('deploy', dir, '--message', 'from the cli');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/queued[\s\S]*committing[\s\S]*committed as [0-9a-f]{40}/);
    const firstCommit = /committed as ([0-9a-f]{40})/.exec(first.out)?.[1] ?? '';

    writeFileSync(join(dir, 'main.py'), 'from fastapi import FastAPI\n\napp = FastAPI()\n');
    expect((await berth('deploy', dir)).code).toBe(0);

    const broken = join(home, 'broken');
    await berth('init', broken, '--template', 'hello');
    writeFileSync(join(broken, 'main.py'), 'import subprocess\napp = (\n');
    const refused = await berth('deploy', broken);
    expect(refused.code).toBe(4);
    expect(refused.err).toContain('[syntax]');

    const apps = await berth('apps');
    expect(apps.out).toContain('carol/greeter');
    const releases = await berth('releases', '--app', 'greeter');
    expect(releases.out.split('\n')).toHaveLength(2);
    expect(releases.out).toContain(firstCommit.slice(0, 12));
    const status = await berth('status', '--app', 'greeter');
    expect(status.out).toContain('committed, no cluster configured');
    const rollback = await berth('rollback', firstCommit, '--app', 'greeter');
    expect(rollback.code, rollback.err).toBe(0);
    expect(rollback.out).toContain('committed as');
  });

  it('says what to do when not logged in or the arguments are wrong', async () => {
    expect((await berth('rollback', 'abc')).code).toBe(2);
    expect((await berth('init', 'x')).code).toBe(2);
    const other = await berth('apps', '--server', 'http://127.0.0.1:9');
    expect(other.code).toBe(3);
    expect(other.err).toBe('error: not logged in to http://127.0.0.1:9: run berth login');
  });
});
