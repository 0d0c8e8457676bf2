import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startServer, type RunningServer } from '../e2e/server.js';
import { ensureWebBuilt, hasChromium, launchChromium, screenshots, seriousViolations, watchConsole } from './browser.js';

const PASSWORD = 'correct horse battery staple';

/** The whole loop a new user goes through, in Chromium against the real server. */
describe.skipIf(!hasChromium())('web UI: sign up, write, validate, deploy, roll back', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleErrors: string[];

  beforeAll(async () => {
    ensureWebBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'berth-web-'));
    server = await startServer(dataDir);
    browser = await launchChromium();
    context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    consoleErrors = watchConsole(page);
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function checkPage(name: string): Promise<void> {
    expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
    await screenshots(page, name);
  }

  const gitLog = () =>
    execFileSync('git', ['--git-dir', join(dataDir, 'apps.git'), 'log', '--format=%H %s', 'main'], { encoding: 'utf8' })
      .trim()
      .split('\n');

  it('serves the UI with a strict CSP and long-lived caching for hashed assets', async () => {
    const res = await fetch(`${server.url}/`, { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    const html = await res.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${server.url}${asset}`);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-type')).toContain('javascript');
    // API answers carry the same policy, and unknown API paths stay JSON 404s.
    const api = await fetch(`${server.url}/api/v1/nope`, { headers: { Accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-security-policy')).toBe(csp);
  });

  it('signs up and lands on an empty Apps page', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await checkPage('login');
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Email').fill('alice@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    await page.getByText('You have no apps yet').waitFor();
    await checkPage('apps-empty');
  });

  it('creates an app from a template, with the name checked as you type', async () => {
    await page.getByRole('main').getByRole('link', { name: 'Create your first app' }).click();
    await page.getByRole('heading', { name: 'New app' }).waitFor();
    const name = page.getByLabel('App name');
    await name.fill('my--app');
    await page.getByText('App name must not contain "--"').waitFor();
    expect(await page.getByRole('button', { name: 'Create' }).isDisabled()).toBe(true);
    await name.fill('hello-web');
    await page.getByRole('radio', { name: /Hello API/ }).check();
    await checkPage('new-app');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'alice/hello-web' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/apps/alice/hello-web');
  });

  it('underlines a syntax error as you type, lists it, and clears it when fixed', async () => {
    const editor = page.getByRole('textbox', { name: 'main.py' });
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('x = = 1');
    const underline = page.locator('.cm-lintRange-error');
    await underline.first().waitFor();
    // The underline carries the message and the rule, as a tooltip on hover.
    await underline.first().hover();
    await page
      .locator('.cm-tooltip-lint')
      .getByText(/invalid syntax.*\(syntax\)/)
      .waitFor();
    const problems = page.getByRole('region', { name: /Problems/ });
    await problems.getByText(/syntax/).waitFor();
    await expect.poll(() => problems.getByRole('button').first().textContent()).toMatch(/main\.py:\d+:\d+ syntax/);
    await page.getByRole('button', { name: /1 problem/ }).waitFor();
    await page.getByRole('status', { name: 'Draft status' }).getByText('Unsaved changes').waitFor();
    await checkPage('editor-problem');
    // Choosing the problem puts the cursor on its line.
    const where = (await problems.getByRole('button').first().textContent()) ?? '';
    const line = /main\.py:(\d+):/.exec(where)?.[1];
    await page.keyboard.press('Control+Home');
    await problems.getByRole('button').first().click();
    await expect.poll(() => page.locator('.cm-lineNumbers .cm-activeLineGutter').textContent()).toBe(line);
    // Deploying broken code is refused with the problems shown in place; the draft is saved.
    await page.keyboard.press('Control+Enter');
    await page.getByRole('alert').getByText("the app's code has 1 problem(s)").waitFor();
    await problems.getByText(/syntax/).waitFor();
    await page.getByRole('status', { name: 'Draft status' }).getByText('Not deployed').waitFor();
    // Fix it: select the broken line's text and retype it.
    await page.keyboard.press('End');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('x = 1');
    await problems.getByText('No problems').waitFor();
    expect(await underline.count()).toBe(0);
  });

  it('saves with Ctrl+S and deploys with Ctrl+Enter, the timeline reaching committed', async () => {
    await page.keyboard.press('Control+s');
    const state = page.getByRole('status', { name: 'Draft status' });
    await state.getByText('Saved', { exact: true }).waitFor();
    await state.getByText('Not deployed').waitFor();
    await page.keyboard.press('Control+Enter');
    const timeline = page.getByRole('region', { name: /Deploy timeline/ });
    await timeline.getByText('committed', { exact: true }).first().waitFor();
    await timeline.getByText(/^Commit /).waitFor();
    await state.getByText('Deployed', { exact: true }).waitFor();
    await page.getByText(/^Git: [0-9a-f]{7}/).waitFor();
    await checkPage('editor-deployed');
    expect(gitLog()[0]).toMatch(/deploy alice\/hello-web/);
  });

  it('deploys an edit again, shows its diff, and rolls back from Releases', async () => {
    await page.getByRole('textbox', { name: 'main.py' }).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('# second version');
    await page.getByLabel('Deploy message').fill('second version');
    const before = gitLog().length;
    await page.getByRole('button', { name: /^Deploy/ }).click();
    const timeline = page.getByRole('region', { name: /Deploy timeline/ });
    await expect.poll(() => gitLog().length).toBe(before + 1);
    await page.getByRole('status', { name: 'Draft status' }).getByText('Deployed', { exact: true }).waitFor();
    await timeline.getByText('committed', { exact: true }).first().waitFor();
    const [second, first] = gitLog();
    expect(second).toMatch(/deploy alice\/hello-web/);
    const firstSha = (first ?? '').split(' ')[0] ?? '';

    await page.getByRole('tab', { name: 'Releases' }).click();
    const releases = page.getByRole('table');
    await expect.poll(() => releases.getByRole('row').count()).toBe(3);
    await page
      .getByRole('button', { name: /^Diff of / })
      .first()
      .click();
    const changes = page.getByRole('region', { name: /^Changes in/ });
    await changes.getByText('+# second version').waitFor();
    await changes.getByRole('region', { name: 'Manifests' }).waitFor();
    await checkPage('releases-diff');

    await page.getByRole('button', { name: `Roll back to ${firstSha.slice(0, 7)}` }).click();
    const dialog = page.getByRole('dialog', { name: `Roll back to ${firstSha.slice(0, 7)}?` });
    await dialog.waitFor();
    await checkPage('rollback-confirm');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page
      .getByRole('region', { name: /Rollback timeline/ })
      .getByText('committed', { exact: true })
      .first()
      .waitFor();
    await expect.poll(() => releases.getByRole('row').nth(1).textContent()).toContain('rollback');
    expect(gitLog()[0]).toMatch(/rollback alice\/hello-web/);
  });

  it('keeps a secret write-only: set once, never shown or stored in the browser again', async () => {
    await page.getByRole('tab', { name: 'Environment' }).click();
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('api key');
    await page.getByText(/Name env names are upper-case letters/).waitFor();
    await name.fill('API_KEY');
    await page.getByLabel('Value', { exact: true }).fill('s3cret-value-42');
    await page.getByLabel('Secret').check();
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.keyboard.press('Control+s');
    await page.getByRole('status', { name: 'Draft status' }).getByText('Saved', { exact: true }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'alice/hello-web' }).waitFor();
    await page.getByRole('tab', { name: 'Environment' }).click();
    await page.getByText('•••••••• set').waitFor();
    await checkPage('environment');
    const html = await page.content();
    expect(html).not.toContain('s3cret-value-42');
    const stored = await page.evaluate<string>(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href, cookie: document.cookie })',
    );
    expect(stored).not.toContain('s3cret-value-42');
    expect(stored).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
    expect(stored).toBe(JSON.stringify({ local: {}, session: {}, url: `${server.url}/apps/alice/hello-web`, cookie: '' }));
  });

  it('works from the keyboard alone, with a visible focus, and asks before leaving unsaved work', async () => {
    await page.getByRole('tab', { name: 'Code' }).click();
    await page.getByRole('tab', { name: 'Code' }).press('ArrowRight');
    await expect.poll(() => page.getByRole('tab', { name: 'Environment' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByRole('tab', { name: 'Code' }).getAttribute('aria-selected')).toBe('true');
    // Tab from the top of the page reaches Deploy, and the focused control shows an outline.
    await page.getByRole('link', { name: 'Skip to content' }).focus();
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.getByRole('button', { name: /^Deploy/ }).evaluate((el) => el === el.ownerDocument.activeElement);
    }
    expect(reached).toBe(true);
    const outline = await page
      .getByRole('button', { name: /^Deploy/ })
      .evaluate(
        (el) => (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { outlineStyle: string } }).getComputedStyle(el).outlineStyle,
      );
    expect(outline).not.toBe('none');
    // Unsaved work: leaving asks first, and staying keeps it.
    await page.getByRole('textbox', { name: 'main.py' }).click();
    await page.keyboard.type('# unsaved');
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click();
    expect(new URL(page.url()).pathname).toBe('/apps/alice/hello-web');
    await page.getByRole('status', { name: 'Draft status' }).getByText('Unsaved changes').waitFor();
    await page.keyboard.press('Control+z');
    await page.getByRole('status', { name: 'Draft status' }).getByText('Saved', { exact: true }).waitFor();
  });

  it('adds, renames and deletes files in folders, the entrypoint protected', async () => {
    const files = page.getByRole('navigation', { name: 'Files' });
    await files.getByRole('button', { name: 'Add file' }).click();
    const path = files.getByLabel('New file path');
    await path.fill('static/Site.css');
    await files.getByText(/File path file name "Site.css" must be lower-case/).waitFor();
    await path.fill('static/site.css');
    await path.press('Enter');
    await files.getByText('static/', { exact: true }).waitFor();
    await page.getByRole('textbox', { name: 'static/site.css' }).waitFor();
    await page.getByRole('status', { name: 'Draft status' }).getByText('Unsaved changes').waitFor();
    await files.getByRole('button', { name: 'Rename static/site.css' }).click();
    await files.getByLabel('Rename static/site.css to').fill('static/style.css');
    await files.getByLabel('Rename static/site.css to').press('Enter');
    await page.getByRole('textbox', { name: 'static/style.css' }).waitFor();
    await checkPage('editor-files');
    expect(await files.getByRole('button', { name: 'Delete main.py' }).count()).toBe(0);
    expect(await files.getByRole('button', { name: 'Rename main.py' }).count()).toBe(0);
    await files.getByRole('button', { name: 'Delete static/style.css' }).click();
    await page.getByRole('dialog', { name: 'Delete static/style.css?' }).getByRole('button', { name: 'Delete file' }).click();
    await page.getByRole('textbox', { name: 'main.py' }).waitFor();
    expect(await files.getByText('static/', { exact: true }).count()).toBe(0);
    await page.getByRole('status', { name: 'Draft status' }).getByText('Saved', { exact: true }).waitFor();
  });

  it('never lets a slow, stale validation answer overwrite a newer one', async () => {
    const tab = await context.newPage();
    await tab.goto('/apps/alice/hello-web');
    const problems = tab.getByRole('region', { name: /Problems/ });
    await problems.getByText('No problems').waitFor();
    // The next validation (of the broken line) is held back on the network for 1.5 s.
    let held = true;
    let finished = 0;
    tab.on('requestfinished', (r) => void (r.url().endsWith('/validate') && finished++));
    await tab.route('**/validate', async (route) => {
      if (held) {
        held = false;
        await new Promise((r) => setTimeout(r, 1500));
      }
      await route.continue();
    });
    await tab.getByRole('textbox', { name: 'main.py' }).click();
    await tab.keyboard.press('Control+End');
    await tab.keyboard.press('Enter');
    await tab.keyboard.type('y = = 2');
    await expect.poll(() => held).toBe(false);
    // While that answer is on its way, the line is fixed and checked again.
    await tab.keyboard.press('Home');
    await tab.keyboard.press('Shift+End');
    await tab.keyboard.type('y = 2');
    await expect.poll(() => finished, { timeout: 10_000 }).toBe(2);
    await problems.getByText('No problems').waitFor();
    expect(await tab.locator('.cm-lintRange-error').count()).toBe(0);
    expect(await problems.getByRole('button').count()).toBe(0);
    await tab.close({ runBeforeUnload: false });
  });

  it('restores the session in two tabs reloading at once without logging out', async () => {
    const second = await context.newPage();
    await second.goto('/');
    await second.getByRole('heading', { name: 'Apps' }).waitFor();
    await Promise.all([page.goto('/'), second.reload()]);
    await Promise.all([page.getByRole('heading', { name: 'Apps' }).waitFor(), second.getByRole('heading', { name: 'Apps' }).waitFor()]);
    await page.getByRole('link', { name: 'alice/hello-web' }).waitFor();
    await second.getByRole('link', { name: 'alice/hello-web' }).waitFor();
    await checkPage('apps');
    // Both still signed in afterwards: a fresh tab restores from the (rotated) cookie once more.
    await second.reload();
    await second.getByRole('link', { name: 'alice/hello-web' }).waitFor();
    await second.close();
  });

  it('lets an operator revert a commit from Operations', async () => {
    await page.getByRole('link', { name: 'Operations' }).click();
    await page.getByRole('heading', { name: 'Apps repository commits' }).waitFor();
    const [head] = gitLog();
    const sha = (head ?? '').slice(0, 7);
    await page.getByRole('button', { name: `Revert ${sha}` }).click();
    const dialog = page.getByRole('dialog', { name: `Revert ${sha}?` });
    await dialog.getByRole('button', { name: 'Revert' }).click();
    await page.getByText(`Reverted ${sha}`).waitFor();
    expect(gitLog()[0]).toMatch(/^[0-9a-f]{40} [Rr]evert/);
    await page.getByLabel('Digest').fill('sha256:abc');
    await page.getByText('Digest must be sha256:<64 hex>').waitFor();
    await page.getByRole('button', { name: 'Preview cleanup' }).click();
    await page.getByText(/Nothing to clean up/).waitFor();
    await checkPage('operations');
  });

  it('shows the Admin page to the admin', async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('checkbox', { name: 'alice is admin' }).waitFor();
    await page.getByRole('checkbox', { name: 'alice is reviewer' }).check();
    await page.getByText('Saved alice: ').waitFor();
    expect(await page.getByRole('checkbox', { name: 'alice is reviewer' }).isChecked()).toBe(true);
    await page.getByLabel('Tenant', { exact: true }).fill('Alice');
    await page.getByText('Tenant name must be lower-case letters').waitFor();
    await page.getByLabel('Tenant', { exact: true }).fill('alice');
    await page.getByRole('button', { name: 'Set policy' }).click();
    await page.getByText('Tenant alice deploys straight to main.').waitFor();
    await checkPage('admin');
  });

  it('gives a non-admin no Admin page, and 403 from its routes', async () => {
    const api = client(server.url);
    const token = await api.signup('bob');
    expect((await api.call('GET', '/api/v1/admin/users', { token })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/ops/commits', { token })).status).toBe(403);
    const bobContext = await browser.newContext({ baseURL: server.url });
    const bob = await bobContext.newPage();
    await bob.goto('/login');
    await bob.getByLabel('Username').fill('bob');
    await bob.getByLabel('Password').fill(PASSWORD);
    await bob.getByRole('button', { name: 'Log in' }).click();
    await bob.getByRole('heading', { name: 'Apps' }).waitFor();
    expect(await bob.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    expect(await bob.getByRole('link', { name: 'Operations' }).count()).toBe(0);
    await bob.goto('/admin');
    await bob.getByRole('alert').getByText('this needs the admin role').first().waitFor();
    await bobContext.close();
  });

  it('filters the apps list, and logging out in one tab signs out the others', async () => {
    const api = client(server.url);
    const alice = await api.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: PASSWORD } });
    const token = alice.body.accessToken as string;
    await api.call('POST', '/api/v1/apps', { token, body: { name: 'second-app', template: 'hello' } });
    // Deployed first: deleting a never-deployed draft fails in the job today ("no such app"), a backend gap.
    const deployed = await api.call('POST', '/api/v1/apps/alice/second-app/deploy', { token, body: {} });
    expect((await api.waitFinal(token, deployed.body.deployment.id)).status).toBe('committed');
    await page.goto('/');
    await page.getByRole('link', { name: 'alice/second-app' }).waitFor();
    await page.getByLabel('Filter apps').fill('second');
    expect(await page.getByRole('link', { name: 'alice/hello-web' }).count()).toBe(0);
    await page.getByRole('cell', { name: 'committed' }).waitFor();
    await page.getByLabel('Filter apps').fill('nothing-like-this');
    await page.getByText('No app matches').waitFor();
    // Deleting an app is a commit too; the list no longer shows it.
    await page.getByLabel('Filter apps').fill('');
    await page.getByRole('link', { name: 'alice/second-app' }).click();
    await page.getByText(/^Git: [0-9a-f]{7}/).waitFor();
    await page.getByRole('button', { name: 'Delete app' }).click();
    await page.getByRole('dialog', { name: 'Delete alice/second-app?' }).getByRole('button', { name: 'Delete app' }).click();
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    await page.getByRole('link', { name: 'alice/hello-web' }).waitFor();
    expect(await page.getByRole('link', { name: 'alice/second-app' }).count()).toBe(0);
    expect(gitLog()[0]).toMatch(/delete alice\/second-app/);
    const other = await context.newPage();
    await other.goto('/');
    await other.getByRole('heading', { name: 'Apps' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await other.getByRole('heading', { name: 'Log in' }).waitFor();
    // The refresh cookie is gone too: a reload stays signed out.
    await other.reload();
    await other.getByRole('heading', { name: 'Log in' }).waitFor();
    await other.close();
  });

  it('logged no console errors and no CSP refusals', () => {
    expect(consoleErrors).toEqual([]);
  });
});
