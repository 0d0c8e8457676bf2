import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viaHost, waitFor } from '../support/app-host.js';
import { toolOrSkip } from '../support/tools.js';
import { client, freePort, helloFiles, startServer, type RunningServer } from '../e2e/server.js';
import { ensureWebBuilt, hasChromium, launchChromium, screenshots, seriousViolations, watchConsole } from './browser.js';

const PASSWORD = 'correct horse battery staple';
const python = toolOrSkip('/usr/bin/python3', ['-c', 'import fastapi, uvicorn']);

/** Review mode in Chromium with the local runtime: a reviewer approves in the UI and the app answers. */
describe.skipIf(!hasChromium() || !python)('web UI: a reviewer approves a change request and the app goes live', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let port = 0;
  let consoleErrors: string[];

  beforeAll(async () => {
    ensureWebBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'berth-web-review-'));
    port = await freePort();
    server = await startServer(dataDir, { RUNTIME: 'local' }, port);
    browser = await launchChromium();
    page = await (await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } })).newPage();
    consoleErrors = watchConsole(page);
  });
  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the request with its author, shows both diffs and the validation, approves it, and the app answers', async () => {
    const api = client(server.url);
    const alice = await api.signup('alice');
    await api.signup('bob');
    expect((await api.call('PUT', '/api/v1/admin/users/bob/roles', { token: alice, body: { roles: ['reviewer'] } })).status).toBe(200);
    expect((await api.call('PUT', '/api/v1/admin/tenants/alice/policy', { token: alice, body: { mode: 'review' } })).status).toBe(200);
    expect(
      (await api.call('POST', '/api/v1/apps', { token: alice, body: { name: 'web', files: helloFiles('reviewed hello'), entrypoint: 'main.py' } })).status,
    ).toBe(201);
    const deploy = await api.call('POST', '/api/v1/apps/alice/web/deploy', { token: alice, body: { message: 'please look' } });
    expect(deploy.status).toBe(202);
    const waiting = await api.waitFinal(alice, deploy.body.deployment.id);
    expect(waiting.status).toBe('awaiting_review');
    const host = `web--alice.apps.localhost:${port}`;
    expect((await viaHost(port, host)).status).not.toBe(200);

    await page.goto('/login');
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Reviews' }).click();
    await page.getByRole('heading', { name: 'Reviews' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'alice/web' });
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toBe('alice');
    await expect(row.textContent()).resolves.toContain('please look');
    expect(await seriousViolations(page), 'axe on reviews').toEqual([]);
    await screenshots(page, 'reviews');

    await row.getByRole('link', { name: 'alice/web' }).click();
    await page.getByRole('heading', { name: /Change request [0-9a-f]{12}: alice\/web/ }).waitFor();
    await expect(page.getByRole('status', { name: 'Validation' }).textContent()).resolves.toContain('passed');
    await expect(page.getByRole('region', { name: 'Code' }).textContent()).resolves.toContain('reviewed hello');
    await expect(page.getByRole('region', { name: 'Rendered manifests' }).textContent()).resolves.toContain('kind: Deployment');
    expect(await seriousViolations(page), 'axe on the request').toEqual([]);
    await screenshots(page, 'review-request');

    await page.getByLabel('Comment').fill('ship it');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/Landed on main as [0-9a-f]{12}/).waitFor();
    await page.getByText('bob').first().waitFor();
    await screenshots(page, 'review-approved');

    // Approved → committed → the local runtime runs it → ready, reached by its Host through Berth.
    const answer = await waitFor(async () => {
      const res = await viaHost(port, host);
      return res.status === 200 && res.body.includes('reviewed hello') ? res : undefined;
    }, 30_000);
    expect(answer.status).toBe(200);
    const done = await waitFor(async () => {
      const d = (await api.call('GET', `/api/v1/deployments/${deploy.body.deployment.id}`, { token: alice })).body.deployment;
      return d.status === 'ready' ? d : undefined;
    }, 30_000);
    expect(done.timeline.map((t: { stage: string }) => t.stage)).toEqual(
      expect.arrayContaining(['awaiting_review', 'approved', 'committed', 'reconciled', 'ready']),
    );
    expect(consoleErrors).toEqual([]);
  }, 180_000);
});
