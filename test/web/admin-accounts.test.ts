import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startServer, type RunningServer } from '../e2e/server.js';
import { ensureWebBuilt, hasChromium, launchChromium, screenshots, seriousViolations, watchConsole } from './browser.js';

const PASSWORD = 'correct horse battery staple';

/** The admin's account tools in Chromium against the real server: the signup setting, an invite link, removing a user. */
describe.skipIf(!hasChromium())('web UI: admin accounts', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[];

  beforeAll(async () => {
    ensureWebBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'berth-web-admin-'));
    server = await startServer(dataDir);
    browser = await launchChromium();
    page = await (await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } })).newPage();
    consoleErrors = watchConsole(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sets signups to invite only, makes an invite link, and removes a user whose token then stops working', async () => {
    const api = client(server.url);
    await api.signup('alice');
    const bob = await api.signup('bob');
    await page.goto('/login');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    // The admin page also lists the import allow-list, which answers 503 until Pyodide has loaded.
    const admin = (await api.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: PASSWORD } })).body.accessToken as string;
    await expect.poll(async () => (await api.call('GET', '/api/v1/admin/allowed-imports', { token: admin })).status, { timeout: 60_000 }).toBe(200);
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Signups' }).waitFor();

    await page.getByLabel('Who may sign up').selectOption('invite');
    await page.getByText(/Signups are invite only/).waitFor();
    await page.getByRole('button', { name: 'Make invite link' }).click();
    expect(await page.getByRole('textbox', { name: 'Invite link', exact: true }).inputValue()).toMatch(/\/signup\?invite=/);
    expect((await api.call('POST', '/api/v1/auth/signup', { body: { username: 'carol', email: 'carol@example.com', password: PASSWORD } })).status).toBe(403);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove bob' }).click();
    await page.getByText('Saved bob: removed.').waitFor();
    expect(await page.getByRole('cell', { name: 'bob', exact: true }).count()).toBe(0);
    expect((await api.call('GET', '/api/v1/apps', { token: bob })).status).toBe(401);

    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'admin-accounts');
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
  }, 120_000);
});
