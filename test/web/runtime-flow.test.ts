import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, freePort, startServer, type RunningServer } from '../e2e/server.js';
import { killAll, processesWithEnv, viaHost, waitFor } from '../support/app-host.js';
import { gitOut } from '../support/git-cli.js';
import { toolOrSkip } from '../support/tools.js';
import { ensureWebBuilt, hasChromium, launchChromium, screenshots, seriousViolations, watchConsole } from './browser.js';

const PASSWORD = 'correct horse battery staple';
const python = toolOrSkip('/usr/bin/python3', ['-c', 'import fastapi, uvicorn']);

/**
 * What runs, in Chromium against the real server with the local runtime
 * (RUNTIME=local, Debian's python3-fastapi): the gallery creates, the editor
 * deploys, and the status badge, Open app, Logs, Test, Events, Sleep and
 * Wake show what the runner processes really do.
 */
describe.skipIf(!hasChromium() || !python)('web UI: the app running under the local runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-web-runtime-'));
  const runners = `CODE_DIR=${join(dataDir, 'runtime')}`;
  let port = 0;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[];
  const host = (app: string) => `${app}--alice.apps.localhost:${port}`;
  const appStatus = () => page.getByRole('status', { name: 'App status' });
  const badge = (word: string) => appStatus().locator('.pill').getByText(word, { exact: true });

  async function checkPage(name: string): Promise<void> {
    expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
    await screenshots(page, name);
  }

  beforeAll(async () => {
    ensureWebBuilt();
    port = await freePort();
    server = await startServer(dataDir, { RUNTIME: 'local' }, port);
    await client(server.url).signup('alice');
    browser = await launchChromium();
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    consoleErrors = watchConsole(page);
    await page.goto('/login');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.child.exitCode === null) server.child.kill('SIGTERM');
    await server?.exited;
    // Whatever happened above, no runner of this DATA_DIR outlives the tests.
    killAll(processesWithEnv(runners));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the /system warning about the placeholder runner pin as a banner', async () => {
    const banner = page.getByRole('status', { name: 'System warnings' });
    await banner.getByText(/placeholder/).waitFor();
    expect(await banner.isVisible()).toBe(true);
    await checkPage('system-banner');
  });

  it("shows each starter's description, what it teaches, tags and needs before it is created", async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New app' }).click();
    const hello = page.locator('.tile', { has: page.getByRole('radio', { name: /Hello API/ }) });
    await hello.getByText(/^Teaches:/).waitFor();
    await hello.locator('.tag', { hasText: 'basics' }).waitFor();
    const settings = page.locator('.tile', { has: page.getByRole('radio', { name: /Settings and a secret/ }) });
    await settings.getByText('needs secret API_TOKEN').waitFor();
    const todo = page.locator('.tile', { has: page.getByRole('radio', { name: /Todo API on MongoDB/ }) });
    await todo.getByText('needs a database').waitFor();
    // Chosen, a database starter says so before Create.
    await page.getByRole('radio', { name: /Todo API on MongoDB/ }).check();
    await page
      .getByRole('region', { name: /What Todo API on MongoDB needs/ })
      .getByText('Needs a database.')
      .waitFor();
    await checkPage('gallery-needs-database');
  });

  it('creates from the gallery, deploys, and the badge reaches live with the live commit', async () => {
    await page.getByLabel('App name').fill('hi');
    await page.getByRole('radio', { name: /Hello API/ }).check();
    expect(await page.getByRole('region', { name: /needs/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'alice/hi' }).waitFor();
    await page.getByRole('button', { name: /^Deploy/ }).click();
    const timeline = page.getByRole('region', { name: /Deploy timeline/ });
    // The timeline goes on past committed: the local runtime reconciles and the app is ready.
    await timeline.locator('li.stage-reconciled').waitFor();
    await timeline.locator('li.stage-ready').waitFor({ timeout: 30_000 });
    await badge('live').waitFor({ timeout: 30_000 });
    const commit = gitOut(join(dataDir, 'apps.git'), ['rev-parse', 'main']).trim();
    await appStatus()
      .getByText(`Live: ${commit.slice(0, 7)}`)
      .waitFor();
    await checkPage('editor-live');
  });

  it("Open app goes to the runtime URL in a new tab, and that URL answers through Berth's port", async () => {
    const open = page.getByRole('link', { name: /Open app/ });
    expect(await open.getAttribute('href')).toBe(`http://${host('hi')}/`);
    expect(await open.getAttribute('target')).toBe('_blank');
    expect(await open.getAttribute('rel')).toContain('noopener');
    const res = await viaHost(port, host('hi'), '/hello/browser-test');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Hello, browser-test!');
  });

  it('Logs show the request line, filter by search, and hold new lines while paused', async () => {
    await page.getByRole('tab', { name: 'Logs' }).click();
    const log = page.getByRole('log', { name: 'App output' });
    await log.getByText(/\/hello\/browser-test/).waitFor();
    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.fill('browser-test');
    await expect.poll(() => log.locator('.log-line').count()).toBe(1);
    await page.getByText(/^1 of \d+ lines$/).waitFor();
    await checkPage('logs');
    await search.fill('');
    await page.getByRole('button', { name: 'Pause' }).click();
    await viaHost(port, host('hi'), '/hello/while-paused');
    await page.getByText(/new lines? held back/).waitFor();
    expect(await log.getByText(/while-paused/).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await log.getByText(/\/hello\/while-paused/).waitFor();
  });

  it('the Test panel sends GET / and shows 200, the body and the time; the last requests stay listed', async () => {
    await page.getByRole('tab', { name: 'Test' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Test' });
    await panel.getByLabel('Path').fill('/');
    await panel.getByRole('button', { name: 'Send' }).click();
    const answer = panel.getByRole('region', { name: /Response/ });
    await answer.locator('.pill', { hasText: '200' }).waitFor();
    await answer.getByText(/^\d+ ms$/).waitFor();
    await answer
      .getByLabel('Response body')
      .getByText(/Hello from Berth!/)
      .waitFor();
    await panel.getByText('Headers (', { exact: false }).click();
    await answer.getByRole('rowheader', { name: 'content-type' }).waitFor();
    // A body that is not JSON is refused in the page, before anything is sent.
    await panel.getByLabel('Method').selectOption('POST');
    await panel.getByLabel('JSON body').fill('{not json');
    await panel.getByRole('button', { name: 'Send' }).click();
    await panel
      .getByRole('alert')
      .getByText(/Body is not JSON/)
      .waitFor();
    await panel.getByLabel('Method').selectOption('GET');
    await panel.getByLabel('JSON body').fill('');
    await panel.getByLabel('Path').fill('/hello/panel');
    await panel.getByRole('button', { name: 'Send' }).click();
    await answer
      .getByLabel('Response body')
      .getByText(/Hello, panel!/)
      .waitFor();
    const recent = panel.getByRole('complementary', { name: 'Recent requests' });
    await expect.poll(() => recent.getByRole('button').count()).toBe(2);
    await checkPage('test-panel');
    // Choosing an earlier request shows its answer again.
    await recent.getByRole('button', { name: /GET \/ 200/ }).click();
    await answer
      .getByLabel('Response body')
      .getByText(/Hello from Berth!/)
      .waitFor();
  });

  it('the Events list shows what the runtime did', async () => {
    await page.getByRole('tab', { name: 'Events' }).click();
    const events = page.getByRole('tabpanel', { name: 'Events' });
    await events.getByRole('cell', { name: 'Started', exact: true }).first().waitFor();
    await events.getByRole('cell', { name: 'Ready', exact: true }).first().waitFor();
    await checkPage('events');
  });

  it('Sleep turns the badge asleep (the app answers 503); Wake brings it back live', async () => {
    await page.getByRole('button', { name: 'Sleep' }).click();
    await badge('asleep').waitFor({ timeout: 30_000 });
    await waitFor(async () => ((await viaHost(port, host('hi'))).status === 503 ? true : undefined));
    await page.getByRole('button', { name: 'Wake' }).waitFor();
    await checkPage('editor-asleep');
    await page.getByRole('button', { name: 'Wake' }).click();
    await badge('live').waitFor({ timeout: 30_000 });
    await waitFor(async () => ((await viaHost(port, host('hi'))).status === 200 ? true : undefined));
  });

  it("a failed start shows failed with the runtime's message: the user's file and line", async () => {
    await page.getByRole('tab', { name: 'Code' }).click();
    await page.getByRole('textbox', { name: 'main.py' }).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('limit = 1 / 0');
    await page
      .getByRole('region', { name: /Problems/ })
      .getByText('No problems')
      .waitFor();
    await page.getByRole('button', { name: /^Deploy/ }).click();
    const timeline = page.getByRole('region', { name: /Deploy timeline/ });
    await timeline.locator('li.stage-failed').waitFor({ timeout: 30_000 });
    await timeline
      .getByRole('alert')
      .getByText(/main\.py:\d+/)
      .waitFor();
    await timeline
      .getByRole('alert')
      .getByText(/ZeroDivisionError/)
      .waitFor();
    await badge('failed').waitFor();
    await appStatus()
      .getByText(/main\.py:\d+/)
      .waitFor();
    await checkPage('editor-failed');
  });

  it('a starter that needs a secret asks for it, masked; the app reads it and the value never reappears', async () => {
    const secret = `tok-${Date.now()}-browser`;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New app' }).click();
    await page.getByLabel('App name').fill('settings');
    await page.getByRole('radio', { name: /Settings and a secret/ }).check();
    const needs = page.getByRole('region', { name: /What Settings and a secret needs/ });
    const input = needs.getByLabel('API_TOKEN');
    expect(await input.getAttribute('type')).toBe('password');
    expect(await page.getByRole('button', { name: 'Create' }).isDisabled()).toBe(true);
    await input.fill(secret);
    await checkPage('gallery-secret');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'alice/settings' }).waitFor();
    await page.getByRole('tab', { name: 'Environment' }).click();
    await page.getByText('•••••••• set').waitFor();
    await page.getByRole('button', { name: /^Deploy/ }).click();
    await badge('live').waitFor({ timeout: 30_000 });
    // The app got it: it says "set" (and never what).
    const res = await waitFor(async () => {
      const r = await viaHost(port, host('settings'));
      return r.status === 200 ? r : undefined;
    });
    expect(JSON.parse(res.body)).toMatchObject({ api_token: 'set' });
    expect(await page.content()).not.toContain(secret);
    const stored = await page.evaluate<string>(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href, cookie: document.cookie })',
    );
    expect(stored).not.toContain(secret);
    expect(gitOut(join(dataDir, 'apps.git'), ['log', '-p', '--all'])).not.toContain(secret);
  });

  it("the apps list shows each app's badge and live commit", async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click();
    const row = (app: string) => page.getByRole('row', { name: new RegExp(`alice/${app}`) });
    await row('settings').getByText('live', { exact: true }).waitFor({ timeout: 30_000 });
    await row('hi').getByText('failed', { exact: true }).waitFor({ timeout: 30_000 });
    await row('settings').locator('code').first().waitFor();
    await checkPage('apps-runtime');
  });

  it('the banner goes once an operator pins a real runner image', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operations' }).click();
    await page.getByLabel('Image', { exact: true }).fill('ghcr.io/acme/berth-runner');
    await page.getByLabel('Digest', { exact: true }).fill(`sha256:${'ab'.repeat(32)}`);
    await page.getByRole('button', { name: 'Pin runner image' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /[Pp]inned/ })
      .waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click();
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    await expect.poll(() => page.getByRole('status', { name: 'System warnings' }).count()).toBe(0);
  });

  it('logged no console errors and no CSP refusals', () => {
    expect(consoleErrors).toEqual([]);
  });
});
