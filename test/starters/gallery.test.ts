import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { main } from '../../src/cli/main.js';
import { loadStarters } from '../../src/starters/index.js';
import { client, startServer, type RunningServer } from '../e2e/server.js';

/*
 * The gallery as a user meets it, on the real server: GET /templates with
 * what each starter teaches and needs, the OpenAPI document describing those
 * fields, `berth templates`, and `berth init` saying what a starter needs
 * before it writes the folder.
 */

let server: RunningServer;
let dataDir: string;
let home: string;
let token: string;
const starters = loadStarters();

async function berth(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n'), lines: out };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-gallery-server-'));
  home = mkdtempSync(join(tmpdir(), 'berth-gallery-home-'));
  server = await startServer(dataDir);
  token = await client(server.url).signup('dora');
  process.env.XDG_CONFIG_HOME = join(home, 'config');
  process.env.BERTH_PASSWORD = 'correct horse battery staple';
  const login = await berth('login', '--username', 'dora', '--server', server.url);
  expect(login.code, login.err).toBe(0);
}, 90_000);
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  delete process.env.BERTH_PASSWORD;
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('GET /templates', () => {
  it('gives every starter with what it teaches, its tags and what it needs, keeping the earlier fields', async () => {
    const res = await client(server.url).call('GET', '/api/v1/templates', { token });
    expect(res.status).toBe(200);
    const templates = res.body.templates as Array<Record<string, unknown>>;
    expect(templates.map((t) => t.id)).toEqual(starters.map((s) => s.id));
    expect(templates.length).toBeGreaterThanOrEqual(10);
    const webhook = templates.find((t) => t.id === 'webhook-hmac');
    expect(Object.keys(webhook ?? {}).sort()).toEqual(['description', 'entrypoint', 'files', 'id', 'name', 'needs', 'tags', 'teaches']);
    expect(webhook?.needs).toEqual({ database: false, secrets: [{ name: 'WEBHOOK_SECRET', description: expect.stringContaining('signs') }], settings: [] });
    expect(templates.find((t) => t.id === 'guestbook-mongo')?.needs).toMatchObject({ database: true, secrets: [] });
    expect(Object.keys(webhook?.files as object)).toEqual(['main.py']);
  });

  it('is described in the OpenAPI document, needs included', async () => {
    const doc = (await client(server.url).call('GET', '/api/v1/openapi.json')).body;
    const schema = JSON.stringify(doc.paths['/api/v1/templates'].get.responses);
    for (const field of ['teaches', 'tags', 'needs', 'secrets', 'database', 'files', 'entrypoint']) expect(schema).toContain(`"${field}"`);
  });

  it('lets a client create an app from a starter with its secret set, never showing the value back', async () => {
    const api = client(server.url);
    const created = await api.call('POST', '/api/v1/apps', {
      token,
      body: { name: 'hooks', template: 'webhook-hmac', env: { WEBHOOK_SECRET: { secret: true, value: 'whsec-c0ffee' } } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const app = (await api.call('GET', '/api/v1/apps/dora/hooks', { token })).body.app;
    expect(app.draft.env).toEqual({ WEBHOOK_SECRET: { secret: true } });
    expect(JSON.stringify(app)).not.toContain('whsec-c0ffee');
    expect(Object.keys(app.draft.files)).toEqual(['main.py']);
  });
});

describe('the gallery flow through the API', () => {
  it('creates an app from every starter, and the API validator (runner/validation.py in Pyodide) accepts each as is', async () => {
    const api = client(server.url);
    const verdicts: Record<string, unknown> = {};
    for (const starter of starters) {
      const name = `g-${starter.id}`.slice(0, 30);
      const created = await api.call('POST', '/api/v1/apps', { token, body: { name, template: starter.id } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      verdicts[starter.id] = (await api.call('POST', `/api/v1/apps/dora/${name}/validate`, { token, body: {} })).body;
    }
    expect(verdicts).toEqual(Object.fromEntries(starters.map((starter) => [starter.id, { ok: true, problems: [] }])));
  }, 120_000);
});

describe('berth templates and berth init', () => {
  it('lists the gallery: each starter, what it teaches and what it needs', async () => {
    const listed = await berth('templates');
    expect(listed.code, listed.err).toBe(0);
    for (const starter of starters) expect(listed.out).toContain(`${starter.id}  ${starter.name}`);
    expect(listed.out).toMatch(
      /^hello {2}Hello API {2}\[api, basics\]\n {2}The smallest FastAPI app.*\n {2}Teaches: .+\n {2}Needs: nothing, runs as created$/m,
    );
    expect(listed.out).toMatch(/^env-settings .*\n.*\n.*\n {2}Needs: secret API_TOKEN; optional settings APP_TITLE, MAX_ITEMS$/m);
    expect(listed.out).toMatch(/^guestbook-mongo .*\n.*\n.*\n {2}Needs: a database \(MONGODB_URI\)$/m);
    expect(listed.out).toContain('berth init <dir> --template <id>');
  });

  it('prints the gallery as JSON with --json: file paths, not their contents', async () => {
    const listed = await berth('templates', '--json');
    expect(listed.code, listed.err).toBe(0);
    const body = JSON.parse(listed.out) as { templates: Array<{ id: string; files: string[]; needs: { secrets: Array<{ name: string }> } }> };
    expect(body.templates.map((t) => t.id)).toEqual(starters.map((s) => s.id));
    expect(body.templates.find((t) => t.id === 'jinja-site')?.files).toEqual(expect.arrayContaining(['main.py', 'templates/base.html', 'static/site.css']));
    expect(body.templates.find((t) => t.id === 'env-settings')?.needs.secrets.map((s) => s.name)).toEqual(['API_TOKEN']);
  });

  it('says before creating that a starter needs a secret or a database', async () => {
    const dir = join(home, 'hook-app');
    const init = await berth('init', dir, '--template', 'webhook-hmac');
    expect(init.code, init.err).toBe(0);
    expect(init.lines[0]).toMatch(/^Needs the secret WEBHOOK_SECRET: Shared secret the sender signs/);
    expect(init.lines.at(-1)).toMatch(/^Created .*hook-app \(app hook-app, from webhook-hmac\)/);
    expect(readFileSync(join(dir, 'main.py'), 'utf8')).toContain('hmac.compare_digest');

    const guestbook = await berth('init', join(home, 'guests'), '--template', 'guestbook-mongo');
    expect(guestbook.lines[0]).toMatch(/^Needs a database: Berth sets MONGODB_URI/);
    expect(existsSync(join(home, 'guests', 'templates', 'no-database.html'))).toBe(true);

    const plain = await berth('init', join(home, 'plain'), '--template', 'hello');
    expect(plain.lines).toHaveLength(1);
    expect(plain.out).toMatch(/^Created /);
  });

  it('lists the starters when none or an unknown one is given, and creates nothing', async () => {
    for (const args of [
      ['init', join(home, 'none')],
      ['init', join(home, 'unknown'), '--template', 'nope'],
    ]) {
      const refused = await berth(...args);
      expect(refused.code).toBe(2);
      expect(refused.err).toMatch(/ws-chat +A chat room/);
      expect(refused.err).toContain('dashboard-chart');
    }
    expect(existsSync(join(home, 'none'))).toBe(false);
    expect(existsSync(join(home, 'unknown'))).toBe(false);
    expect((await berth('templates', '--yaml')).code).toBe(2);
  });
});
