import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { killAll, processesWithEnv, viaHost, waitFor } from '../support/app-host.js';
import { gitOut } from '../support/git-cli.js';
import { toolOrSkip } from '../support/tools.js';
import { client, freePort, helloFiles, startServer, type RunningServer } from './server.js';

/*
 * The embedded default end to end: the real server (SQLite, bare repo, job
 * runner) with its local runtime running Debian's python3-fastapi, apps
 * reached through Berth's own port by Host, and the git CLI as the operator.
 */
/** The configuration's own default (startServer turns the runtime off for the other e2e tests). */
const EMBEDDED_DEFAULT = { RUNTIME: 'auto' };
const python = toolOrSkip('/usr/bin/python3', ['-c', 'import fastapi, uvicorn']);

describe.skipIf(!python)('the local runtime on the embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-local-'));
  const gitdir = join(dataDir, 'apps.git');
  const runnersNeedle = `CODE_DIR=${join(dataDir, 'runtime')}`;
  let port = 0;
  let server: RunningServer;
  let api: ReturnType<typeof client>;
  let token = '';
  const host = (app: string) => `${app}--alice.apps.localhost:${port}`;
  const answer = (app: string, path = '/') => viaHost(port, host(app), path);
  /** Polls the app through Berth until its body contains `text`. */
  const answersWith = (app: string, text: string, timeoutMs = 10_000) =>
    waitFor(async () => {
      const res = await answer(app);
      return res.status === 200 && res.body.includes(text) ? res : undefined;
    }, timeoutMs);
  const status = async (app: string) => (await api.call('GET', `/api/v1/apps/alice/${app}/status`, { token })).body;

  async function deploy(app: string, files: Record<string, string>, env: Record<string, unknown> = {}) {
    const put = await api.call('PUT', `/api/v1/apps/alice/${app}/draft`, { token, body: { files, entrypoint: 'main.py', env } });
    expect(put.status).toBe(200);
    const res = await api.call('POST', `/api/v1/apps/alice/${app}/deploy`, { token, body: {} });
    expect(res.status).toBe(202);
    return res.body.deployment.id as string;
  }

  beforeAll(async () => {
    port = await freePort();
    server = await startServer(dataDir, EMBEDDED_DEFAULT, port);
    api = client(server.url);
    token = await api.signup('alice');
    for (const name of ['hello', 'vault', 'broken', 'echo']) {
      expect((await api.call('POST', '/api/v1/apps', { token, body: { name, files: helloFiles(name), entrypoint: 'main.py' } })).status).toBe(201);
    }
    // The Pyodide validator loads in the background; the first deploy should not measure it.
    await waitFor(
      async () => ((await api.call('POST', '/api/v1/apps/alice/hello/validate', { token, body: {} })).status === 200 ? true : undefined),
      60_000,
      100,
    );
  });

  afterAll(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
    await server.exited;
    // Whatever happened above, no runner of this DATA_DIR outlives the tests.
    killAll(processesWithEnv(runnersNeedle));
    rmSync(dataDir, { recursive: true, force: true });
  });

  let first = '';
  let second = '';

  it("a deploy answers through Berth's port with its Host within 2 s, at the URL Berth shows", async () => {
    const started = Date.now();
    const id = await deploy('hello', helloFiles('version one'));
    await answersWith('hello', 'version one', 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    const app = (await api.call('GET', '/api/v1/apps/alice/hello', { token })).body.app;
    expect(app.url).toBe(`http://hello--alice.apps.localhost:${port}/`);
    const done = await api.follow(token, id);
    expect(done.stages).toEqual(expect.arrayContaining(['committed', 'reconciled', 'ready']));
    expect(done.end?.status).toBe('ready');
    const s = await status('hello');
    first = s.git.commit as string;
    expect(s.runtime).toMatchObject({ kind: 'local', liveCommit: first, ready: true, replicas: { desired: 1, ready: 1 }, url: app.url });
  });

  it('a new version replaces the old one with no moment without an answer', async () => {
    const seen: Array<{ status: number; body: string }> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const res = await answer('hello').catch((err: unknown) => ({ status: 0, body: String(err) }));
        seen.push({ status: res.status, body: res.body });
      }
    })();
    await deploy('hello', helloFiles('version two'));
    await waitFor(() => (seen.some((r) => r.body.includes('version two')) ? true : undefined), 10_000);
    // A few more answers after the switch, while the old process stops.
    const after = seen.length;
    await waitFor(() => (seen.length > after + 20 ? true : undefined), 10_000);
    polling = false;
    await poller;
    expect(seen.filter((r) => r.status !== 200)).toEqual([]);
    const firstNew = seen.findIndex((r) => r.body.includes('version two'));
    expect(seen.slice(firstNew + 5).every((r) => r.body.includes('version two'))).toBe(true);
    second = (await status('hello')).git.commit as string;
    await waitFor(async () => ((await status('hello')).runtime.liveCommit === second ? true : undefined));
  });

  it('a rollback brings the old code back', async () => {
    const res = await api.call('POST', '/api/v1/apps/alice/hello/rollback', { token, body: { to: first } });
    expect(res.status).toBe(202);
    await answersWith('hello', 'version one');
  });

  it("an operator's git revert pushed with the git CLI is followed within 5 s, and status and the app list show it", async () => {
    const work = mkdtempSync(join(tmpdir(), 'berth-operator-'));
    try {
      const git = (...args: string[]) => execFileSync('git', ['-C', work, ...args], { encoding: 'utf8', stdio: 'pipe' }).trim();
      execFileSync('git', ['clone', '-q', gitdir, work], { stdio: 'pipe' });
      git('-c', 'user.name=Olga Operator', '-c', 'user.email=olga@example.com', 'revert', '--no-edit', 'HEAD');
      const started = Date.now();
      git('push', '-q', 'origin', 'HEAD:main');
      const revert = git('rev-parse', 'HEAD');
      await answersWith('hello', 'version two', 5_000);
      expect(Date.now() - started).toBeLessThan(5_000);
      const s = await waitFor(async () => {
        const body = await status('hello');
        return body.runtime.liveCommit === revert ? body : undefined;
      }, 5_000);
      expect(s.git.commit).toBe(revert);
      const list = (await api.call('GET', '/api/v1/apps', { token })).body.apps as Array<{
        name: string;
        live?: { commit: string };
        runtime?: { ready: boolean };
      }>;
      expect(list.find((a) => a.name === 'hello')).toMatchObject({ live: { commit: revert }, runtime: { ready: true } });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('a deploy that changes nothing still ends ready (there is nothing to restart)', async () => {
    const draft = (await api.call('GET', '/api/v1/apps/alice/hello', { token })).body.app.draft as { files: Record<string, string> };
    const id = await deploy('hello', draft.files);
    const done = await api.follow(token, id);
    expect(done.end?.status).toBe('ready');
  });

  it('sleep answers 503 "asleep"; wake brings it back', async () => {
    expect((await api.call('POST', '/api/v1/apps/alice/hello/sleep', { token })).status).toBe(202);
    const asleep = await waitFor(async () => {
      const res = await answer('hello');
      return res.status === 503 ? res : undefined;
    });
    expect(asleep.body).toContain('asleep');
    expect((await status('hello')).runtime).toMatchObject({ phase: 'asleep', replicas: { desired: 0 } });
    expect((await api.call('POST', '/api/v1/apps/alice/hello/wake', { token })).status).toBe(202);
    try {
      await answersWith('hello', 'version two');
    } catch (err) {
      console.log(
        JSON.stringify((await api.call('GET', '/api/v1/apps/alice/hello/events', { token })).body, null, 1),
        JSON.stringify(await status('hello')),
        (await answer('hello')).body,
      );
      throw err;
    }
  });

  it('a secret env var round trip: set, deploy, the app reads it, and its plaintext is nowhere in Git', async () => {
    const plaintext = `s3cret-${Date.now()}-value`;
    const code =
      'from fastapi import FastAPI\nfrom starlette.config import Config\n\nTOKEN = Config()("API_TOKEN", default="missing")\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"token": TOKEN}\n';
    await deploy('vault', { 'main.py': code }, { API_TOKEN: { secret: true, value: plaintext } });
    await answersWith('vault', plaintext);
    const history = gitOut(gitdir, ['log', '-p', '--all']);
    expect(history).toContain('secret.sops.yaml');
    expect(history).not.toContain(plaintext);
  });

  it("a crashing app shows failed with the user's file and line", async () => {
    const code = 'from fastapi import FastAPI\n\napp = FastAPI()\nlimit = 1 / 0\n';
    const id = await deploy('broken', { 'main.py': code });
    const s = await waitFor(async () => {
      const body = await status('broken');
      return body.runtime.phase === 'failed' ? body : undefined;
    });
    expect(s.runtime.message).toContain('main.py:4');
    expect(s.runtime.message).toContain('ZeroDivisionError');
    const deployment = await api.waitFinal(token, id);
    expect(deployment.status).toBe('failed');
    expect((await viaHost(port, host('broken'))).status).toBe(502);
  });

  it("proxies method, path, query, headers and body; strips Berth's credentials; adds no Berth headers to the app's answer", async () => {
    const code = [
      'from fastapi import FastAPI, Request',
      'from fastapi.responses import JSONResponse',
      '',
      'app = FastAPI()',
      '',
      '',
      '@app.post("/echo/{item}")',
      'async def echo(item: str, request: Request):',
      '    body = (await request.body()).decode()',
      '    headers = {k: v for k, v in request.headers.items()}',
      '    return JSONResponse({"item": item, "q": request.url.query, "body": body, "headers": headers}, headers={"x-app-header": "kept"})',
      '',
    ].join('\n');
    await deploy('echo', { 'main.py': code });
    const res = await waitFor(async () => {
      const r = await viaHost(port, host('echo'), '/echo/42?x=1&y=two', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}`, cookie: 'berth_refresh=abc; theme=dark', 'x-custom': 'yes' },
        body: 'hello body',
      });
      return r.status === 200 ? r : undefined;
    });
    const echoed = JSON.parse(res.body) as { item: string; q: string; body: string; headers: Record<string, string> };
    expect(echoed).toMatchObject({ item: '42', q: 'x=1&y=two', body: 'hello body' });
    expect(echoed.headers['x-custom']).toBe('yes');
    expect(echoed.headers.host).toBe(host('echo'));
    expect(echoed.headers.authorization).toBeUndefined();
    expect(echoed.headers.cookie).toBe('theme=dark');
    expect(res.headers['x-app-header']).toBe('kept');
    expect(res.headers['content-security-policy']).toBeUndefined();
    // The app's own Authorization (not a Berth token) goes through untouched.
    const own = await viaHost(port, host('echo'), '/echo/1', { method: 'POST', headers: { authorization: 'Basic dXNlcjpwYXNz' }, body: '' });
    expect((JSON.parse(own.body) as { headers: Record<string, string> }).headers.authorization).toBe('Basic dXNlcjpwYXNz');
  });

  it('logs (tail and follow), events and the test panel', async () => {
    const logs = await api.call('GET', '/api/v1/apps/alice/hello/logs?tail=50', { token });
    expect(logs.status).toBe(200);
    expect(logs.body.lines.some((l: { text: string }) => l.text.includes('"event": "request"'))).toBe(true);

    const controller = new AbortController();
    const stream = await fetch(`${server.url}/api/v1/apps/alice/hello/logs?follow=true&tail=0`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.getReader();
    await answer('hello', '/followed-path');
    let text = '';
    await waitFor(async () => {
      const chunk = await reader.read();
      text += new TextDecoder().decode(chunk.value);
      return text.includes('/followed-path') ? true : undefined;
    });
    controller.abort();
    expect(text).toContain('event: line');

    const events = await api.call('GET', '/api/v1/apps/alice/hello/events', { token });
    expect(events.body.events.map((e: { reason: string }) => e.reason)).toEqual(expect.arrayContaining(['Started', 'Ready', 'Asleep']));

    const panel = await api.call('POST', '/api/v1/apps/alice/hello/request', { token, body: { method: 'GET', path: '/?from=panel' } });
    expect(panel.status).toBe(200);
    expect(panel.body).toMatchObject({ status: 200, truncated: false });
    expect(panel.body.body).toContain('version two');
    expect(typeof panel.body.ms).toBe('number');
    for (const path of ['//evil.example/', 'http://evil.example/', 'relative']) {
      expect((await api.call('POST', '/api/v1/apps/alice/hello/request', { token, body: { method: 'GET', path } })).status).toBe(400);
    }
    expect((await api.call('GET', '/api/v1/apps/alice/hello/logs?tail=lots', { token })).status).toBe(400);
    // Another user sees none of it and cannot put the app to sleep.
    const bob = await api.signup('bob');
    for (const [method, path] of [
      ['GET', 'logs'],
      ['GET', 'events'],
      ['POST', 'sleep'],
      ['POST', 'wake'],
    ] as const) {
      expect((await api.call(method, `/api/v1/apps/alice/hello/${path}`, { token: bob })).status).toBe(403);
    }
    expect((await api.call('POST', '/api/v1/apps/alice/hello/request', { token: bob, body: { method: 'GET', path: '/' } })).status).toBe(403);
  });

  it('the CLI: berth status shows the live commit and readiness, berth logs the output, berth open the URL', async () => {
    const home = mkdtempSync(join(tmpdir(), 'berth-cli-home-'));
    const saved = { config: process.env.XDG_CONFIG_HOME, password: process.env.BERTH_PASSWORD };
    process.env.XDG_CONFIG_HOME = home;
    process.env.BERTH_PASSWORD = 'correct horse battery staple';
    try {
      const berth = async (...args: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
        return { code, out: out.join('\n'), err: err.join('\n') };
      };
      expect((await berth('login', '--username', 'alice', '--server', server.url)).code).toBe(0);
      const live = (await status('hello')).runtime.liveCommit as string;
      const shown = await berth('status', '--app', 'hello');
      expect(shown.code, shown.err).toBe(0);
      expect(shown.out).toContain(`live:    ${live}`);
      expect(shown.out).toContain('local, ready (1/1 replicas)');
      const logs = await berth('logs', '--app', 'hello', '--tail', '20');
      expect(logs.out).toContain('"event": "request"');
      const opened = await berth('open', '--app', 'hello');
      expect(opened.out).toBe(`http://hello--alice.apps.localhost:${port}/`);
    } finally {
      process.env.XDG_CONFIG_HOME = saved.config;
      process.env.BERTH_PASSWORD = saved.password;
      if (saved.config === undefined) delete process.env.XDG_CONFIG_HOME;
      if (saved.password === undefined) delete process.env.BERTH_PASSWORD;
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('kill -9 of Berth: after a restart no orphan runner is left and the apps come back', async () => {
    expect(processesWithEnv(runnersNeedle).length).toBeGreaterThanOrEqual(3);
    server.child.kill('SIGKILL');
    await server.exited;
    // The runners outlived their parent (hello and vault at least; the crashing app may be between restarts):
    // those orphans are what the restart must clean up.
    const orphans = processesWithEnv(runnersNeedle);
    expect(orphans.length).toBeGreaterThanOrEqual(2);
    server = await startServer(dataDir, EMBEDDED_DEFAULT, port);
    api = client(server.url);
    await answersWith('hello', 'version two');
    await answersWith('vault', 's3cret-');
    const after = processesWithEnv(runnersNeedle);
    expect(after.filter((pid) => orphans.includes(pid))).toEqual([]);
  });

  it('delete: the app is gone and its runner stopped', async () => {
    const pidsBefore = processesWithEnv(runnersNeedle).length;
    const removal = await api.call('DELETE', '/api/v1/apps/alice/hello', { token });
    expect(removal.status).toBe(202);
    expect((await api.follow(token, removal.body.deployment.id as string)).end?.status).toBe('ready');
    await waitFor(async () => ((await answer('hello')).status === 404 ? true : undefined));
    await waitFor(() => (processesWithEnv(runnersNeedle).length === pidsBefore - 1 ? true : undefined));
  });
});
