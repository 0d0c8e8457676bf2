import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';

import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { findStarter, loadStarters } from '../../src/starters/index.js';
import { freePort } from '../support/free-port.js';
import { canServe, expectMainRouteAndDocs, get, json, PYTHON, pythonModuleOrSkip, serve, stopAll, writeCodeDir } from './serve-starter.js';

/*
 * Every starter runs under the real runner entrypoint with the system's
 * FastAPI (Debian: FastAPI 0.92 on pydantic 1), answers its main route and
 * /docs, and does the one thing it teaches. FastHTML is not packaged by
 * Debian: its page is checked where FastHTML is installed and skipped loudly
 * (even under CI=true) elsewhere.
 */

const starters = loadStarters();
const starter = (id: string) => findStarter(starters, id);
const haveMongoClient = canServe && pythonModuleOrSkip('pymongo');
const haveJinja = canServe && pythonModuleOrSkip('jinja2');
const haveMultipart = canServe && pythonModuleOrSkip('multipart');
const haveWebsockets = canServe && pythonModuleOrSkip('websockets');
const haveHttpx = canServe && pythonModuleOrSkip('httpx');
const haveFastHtml = canServe && pythonModuleOrSkip('fasthtml', { requiredInCi: false });
// No MongoDB server runs on these machines: like test/secrets, the database-attached paths run only
// when MONGODB_URI names one (the documented exception that does not fail under CI=true).
const MONGODB_URI = process.env.MONGODB_URI ?? '';
if (canServe && !MONGODB_URI) console.warn("\n*** SKIPPING the starters' tests with a database attached: MONGODB_URI is not set ***\n");
afterAll(stopAll);

const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  get(base, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Each starter's test, by id: a starter added without one fails the first test below. */
const COVERED = new Set<string>();
const covers = (id: string) => (COVERED.add(id), id);

describe.skipIf(!canServe)('starters served by runner/entrypoint.py', () => {
  it(
    covers('hello'),
    async () => {
      const { base } = await serve(starter('hello'));
      await expectMainRouteAndDocs(base);
      expect(await json(await get(base, '/'))).toEqual({ message: 'Hello from Berth!' });
      expect(await json(await get(base, '/hello/Ada'))).toEqual({ message: 'Hello, Ada!' });
    },
    30_000,
  );

  it(`${covers('json-api')}: valid books are stored, bad input gets 422 naming the field`, async () => {
    const { base } = await serve(starter('json-api'));
    await expectMainRouteAndDocs(base);
    const created = await post(base, '/books', { title: 'Moby-Dick', author: 'Melville', year: 1851 });
    expect(created.status).toBe(201);
    expect(await json(created)).toEqual({ id: 1, title: 'Moby-Dick', author: 'Melville', year: 1851, rating: 3 });
    const refused = await post(base, '/books', { title: '', author: 'Nobody', year: 3000 });
    expect(refused.status).toBe(422);
    const { detail } = (await json(refused)) as { detail: Array<{ loc: string[]; msg: string }> };
    expect(detail.map((problem) => problem.loc)).toEqual([
      ['body', 'title'],
      ['body', 'year'],
    ]);
    expect((await get(base, '/books?min_rating=9')).status).toBe(422);
    expect(await json(await get(base, '/books?author=Melville'))).toHaveLength(1);
    expect(await json(await get(base, '/books/7'))).toEqual({ detail: 'No book 7' });
    expect(await json(await get(base, '/'))).toMatchObject({ books: 1 });
  }, 30_000);

  it.skipIf(!haveJinja)(
    `${covers('jinja-site')}: pages from templates/ with escaping, CSS and JS from static/`,
    async () => {
      const { base } = await serve(starter('jinja-site'));
      await expectMainRouteAndDocs(base);
      const home = await (await get(base, '/')).text();
      expect(home).toMatch(/href="[^"]*\/static\/site\.css"/);
      expect(home).toContain('<a href="/places/harbour">Harbour</a>');
      const place = await get(base, '/places/harbour');
      expect(await place.text()).toContain('escapes &lt;this&gt; for you');
      expect((await get(base, '/places/atlantis')).status).toBe(404);
      const css = await get(base, '/static/site.css');
      expect(css.headers.get('content-type')).toMatch(/text\/css/);
      expect(await css.text()).toContain('body.dark');
      const js = await get(base, '/static/site.js');
      expect(js.headers.get('content-type')).toMatch(/javascript/);
    },
    30_000,
  );

  it.skipIf(!haveMultipart)(
    `${covers('upload-form')}: the uploaded file's size and SHA-256 come back; too large is 413`,
    async () => {
      const { base } = await serve(starter('upload-form'));
      await expectMainRouteAndDocs(base);
      expect(await (await get(base, '/')).text()).toContain('enctype="multipart/form-data"');
      const bytes = Buffer.from('harbour log\n'.repeat(1000));
      const form = new FormData();
      form.set('note', 'the log');
      form.set('file', new Blob([bytes], { type: 'text/plain' }), 'log.txt');
      const uploaded = await get(base, '/upload', { method: 'POST', body: form });
      expect(uploaded.status).toBe(200);
      expect(await json(uploaded)).toEqual({
        note: 'the log',
        filename: 'log.txt',
        content_type: 'text/plain',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
      const big = new FormData();
      big.set('note', 'too big');
      big.set('file', new Blob([Buffer.alloc(1024 * 1024 + 1)]), 'big.bin');
      expect((await get(base, '/upload', { method: 'POST', body: big })).status).toBe(413);
      const noNote = new FormData();
      noNote.set('file', new Blob([bytes]), 'log.txt');
      expect((await get(base, '/upload', { method: 'POST', body: noNote })).status).toBe(422);
    },
    30_000,
  );

  it.skipIf(!haveWebsockets)(
    `${covers('ws-chat')}: a message reaches everyone in the room`,
    async () => {
      const { base } = await serve(starter('ws-chat'));
      await expectMainRouteAndDocs(base);
      expect(await (await get(base, '/')).text()).toContain('src="/static/chat.js"');
      const alice = await connect(`${base.replace('http', 'ws')}/ws?name=alice`);
      await alice.next({ from: 'room', text: 'alice joined' });
      const bob = await connect(`${base.replace('http', 'ws')}/ws?name=bob`);
      await alice.next({ from: 'room', text: 'bob joined' });
      await bob.next({ from: 'room', text: 'bob joined' });
      expect(await json(await get(base, '/stats'))).toEqual({ connected: 2 });
      alice.socket.send('ahoy');
      await bob.next({ from: 'alice', text: 'ahoy' });
      await alice.next({ from: 'alice', text: 'ahoy' });
      bob.socket.close();
      await alice.next({ from: 'room', text: 'bob left' });
      alice.socket.close();
    },
    30_000,
  );

  it(`${covers('env-settings')}: settings and the secret come from the environment; the token guards /private`, async () => {
    const token = 'tok-5f1c0d2e9a';
    const served = await serve(starter('env-settings'), { APP_TITLE: 'Harbour office', MAX_ITEMS: '2', API_TOKEN: token });
    const { base } = served;
    await expectMainRouteAndDocs(base);
    expect(await json(await get(base, '/'))).toEqual({ title: 'Harbour office', max_items: 2, api_token: 'set' });
    expect(await json(await get(base, '/items'))).toEqual(['anchor', 'buoy']);
    const openapi = (await json(await get(base, '/openapi.json'))) as { info: { title: string } };
    expect(openapi.info.title).toBe('Harbour office');
    const allowed = await get(base, '/private', { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    const wrong = await get(base, '/private', { headers: { authorization: 'Bearer tok-5f1c0d2e9b' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get(base, '/private')).status).toBe(401);
    expect(JSON.stringify(await json(await get(base, '/')))).not.toContain(token);
    expect(served.output()).not.toContain(token);

    const unset = await serve(starter('env-settings'));
    expect(await json(await get(unset.base, '/'))).toEqual({ title: 'Settings demo', max_items: 3, api_token: 'not set' });
    const missing = await get(unset.base, '/private', { headers: { authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(503);
    expect(JSON.stringify(await missing.json())).toContain('API_TOKEN is not set');
  }, 40_000);

  it(`${covers('webhook-hmac')}: accepts a delivery signed with the secret and rejects the rest`, async () => {
    const secret = 'whsec-0a9b8c7d';
    const { base } = await serve(starter('webhook-hmac'), { WEBHOOK_SECRET: secret });
    await expectMainRouteAndDocs(base);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'abc123' });
    const sign = (text: string, key = secret) => `sha256=${createHmac('sha256', key).update(text).digest('hex')}`;
    const deliver = (text: string, headers: Record<string, string>) =>
      get(base, '/webhook', { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...headers }, body: text });

    const accepted = await deliver(body, { 'x-hub-signature-256': sign(body) });
    expect(accepted.status).toBe(202);
    expect(await json(accepted)).toEqual({ accepted: true, event: 'push' });
    for (const [why, text, headers] of [
      ['signed with another key', body, { 'x-hub-signature-256': sign(body, 'guess') }],
      ['body changed after signing', body.replace('abc123', 'evil99'), { 'x-hub-signature-256': sign(body) }],
      ['no signature', body, {}],
      ['signature without its prefix', body, { 'x-hub-signature-256': sign(body).slice('sha256='.length) }],
    ] as const) {
      expect((await deliver(text, headers)).status, why).toBe(401);
    }
    const log = (await json(await get(base, '/'))) as { secret: string; recent: Array<{ event: string; keys: string[] }> };
    expect(log.secret).toBe('set');
    expect(log.recent).toEqual([expect.objectContaining({ event: 'push', keys: ['after', 'ref'] })]);
  }, 30_000);

  it(`${covers('dashboard-chart')}: the page draws from its own JSON endpoint with its own script`, async () => {
    const { base } = await serve(starter('dashboard-chart'));
    await expectMainRouteAndDocs(base);
    const page = await (await get(base, '/')).text();
    expect(page).toContain('<script src="/static/chart.js" defer></script>');
    expect(page).toContain('<svg id="chart"');
    const week = (await json(await get(base, '/api/visits'))) as { title: string; points: Array<{ label: string; value: number }> };
    expect(week.points).toHaveLength(7);
    for (const point of week.points) {
      expect(point.label).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(point.value).toBeGreaterThanOrEqual(20);
      expect(point.value).toBeLessThanOrEqual(120);
    }
    expect(week.points.map((p) => p.label)).toEqual([...week.points.map((p) => p.label)].sort());
    const month = (await json(await get(base, '/api/visits?days=31'))) as typeof week;
    expect(month.points.slice(-7)).toEqual(week.points);
    expect((await get(base, '/api/visits?days=0')).status).toBe(422);
    const script = await get(base, '/static/chart.js');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const code = await script.text();
    expect(code).toContain('fetch("/api/visits');
    expect(code).toContain('createElementNS');
  }, 30_000);

  it(`${covers('multi-file')}: routers from its package and files from static/`, async () => {
    const { base } = await serve(starter('multi-file'));
    await expectMainRouteAndDocs(base);
    const created = await post(base, '/api/notes', { text: 'ship it' });
    expect(created.status).toBe(201);
    expect(await json(created)).toEqual({ id: 1, text: 'ship it' });
    expect(await json(await get(base, '/api/notes/1'))).toEqual({ id: 1, text: 'ship it' });
    expect((await get(base, '/api/notes/2')).status).toBe(404);
    expect(await json(await get(base, '/api/stats'))).toEqual({ notes: 1, longest: 7 });
    const css = await get(base, '/static/style.css');
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect(await css.text()).toContain('font-family');
    expect(await (await get(base, '/')).text()).toContain('/static/style.css');
  }, 30_000);

  it.skipIf(!haveHttpx)(
    'multi-file: its own tests (TestClient) pass in its code folder',
    () => {
      // pytest is not needed to see them pass: each test_ function is called in turn.
      const script = [
        'import json, sys',
        "sys.path.insert(0, '.')",
        'import tests.test_notes as suite',
        'names = sorted(n for n in dir(suite) if n.startswith("test_"))',
        'for name in names: vars(suite)[name]()',
        'print(json.dumps(names))',
      ].join('\n');
      const out = execFileSync(PYTHON, ['-c', script], { cwd: writeCodeDir(starter('multi-file')), encoding: 'utf8', timeout: 60_000 });
      expect(JSON.parse(out)).toEqual(['test_add_and_read_a_note', 'test_an_empty_note_is_refused', 'test_stats_count_the_notes']);
    },
    60_000,
  );

  it.skipIf(!haveMongoClient || !haveJinja)(
    `${covers('guestbook-mongo')}: a clear 503 page without a database, and when it does not answer`,
    async () => {
      const detached = await serve(starter('guestbook-mongo'));
      await expectMainRouteAndDocs(detached.base, 503);
      const page = await get(detached.base, '/');
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const text = await page.text();
      expect(text).toContain('The guestbook has no database right now');
      expect(text).toContain('MONGODB_URI is not set');
      const form = new URLSearchParams({ name: 'Ada', message: 'hello' });
      const signed = await get(detached.base, '/sign', { method: 'POST', body: form, redirect: 'manual' });
      expect(signed.status).toBe(503);

      // A port nobody listens on: the driver gives up after the app's 2 s timeout.
      const unreachable = await serve(starter('guestbook-mongo'), { MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/guestbook` });
      const down = await get(unreachable.base, '/');
      expect(down.status).toBe(503);
      expect(await down.text()).toContain('The database did not answer (ServerSelectionTimeoutError)');
    },
    40_000,
  );

  it.skipIf(!haveMongoClient || !haveJinja || !MONGODB_URI)(
    'guestbook-mongo with a database: a signature shows on the page',
    async () => {
      const { base } = await serve(starter('guestbook-mongo'), { MONGODB_URI });
      const name = `visitor-${Date.now()}`;
      const signed = await get(base, '/sign', { method: 'POST', body: new URLSearchParams({ name, message: 'fair winds' }), redirect: 'manual' });
      expect(signed.status).toBe(303);
      expect(await (await get(base, '/')).text()).toContain(`<strong>${name}</strong>: fair winds`);
      expect(await json(await get(base, '/db-status'))).toEqual({ database: 'ok' });
    },
    40_000,
  );

  it.skipIf(!haveMongoClient || !MONGODB_URI)(
    'todo-mongo with a database: create, update, list and delete a todo',
    async () => {
      const { base } = await serve(starter('todo-mongo'), { MONGODB_URI });
      const created = (await json(await post(base, '/todos', { title: `todo-${Date.now()}` }))) as { id: string; title: string; done: boolean };
      expect(created.done).toBe(false);
      const patched = await get(base, `/todos/${created.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ done: true }),
      });
      expect(await json(patched)).toEqual({ ...created, done: true });
      expect(await json(await get(base, '/todos'))).toContainEqual({ ...created, done: true });
      expect((await get(base, `/todos/${created.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await get(base, `/todos/${created.id}`, { method: 'DELETE' })).status).toBe(404);
    },
    40_000,
  );

  it.skipIf(!haveMongoClient)(
    `${covers('todo-mongo')} without MONGODB_URI says no database is attached`,
    async () => {
      const { base } = await serve(starter('todo-mongo'));
      await expectMainRouteAndDocs(base);
      expect(await json(await get(base, '/'))).toEqual({ app: 'todo', database: 'not attached' });
      const todos = await get(base, '/todos');
      expect(todos.status).toBe(503);
      expect(JSON.stringify(await todos.json())).toContain('MONGODB_URI is not set');
    },
    30_000,
  );

  it.skipIf(!haveFastHtml)(
    `${covers('fasthtml-page')}: the page and its htmx fragment`,
    async () => {
      const { base } = await serve(starter('fasthtml-page'));
      const page = await get(base, '/');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Hello from FastHTML');
      expect(html).toContain('hx-get="/greeting"');
      expect(await (await get(base, '/greeting')).text()).toContain('This paragraph came from the server.');
    },
    30_000,
  );

  it('has a serve test for every starter', () => {
    expect([...COVERED].sort()).toEqual(starters.map((s) => s.id).sort());
  });
});

/** A WebSocket client whose next() waits for the next message and checks it. */
async function connect(url: string) {
  const socket = new WebSocket(url);
  const queue: unknown[] = [];
  const waiting: Array<(message: unknown) => void> = [];
  socket.on('message', (data: Buffer) => {
    const message: unknown = JSON.parse(data.toString());
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    async next(expected: unknown) {
      const message =
        queue.length > 0
          ? queue.shift()
          : await new Promise((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error(`no message within 5 s (expected ${JSON.stringify(expected)})`)), 5_000);
              waiting.push((value) => (clearTimeout(timer), resolve(value)));
            });
      expect(message).toEqual(expected);
    },
  };
}
