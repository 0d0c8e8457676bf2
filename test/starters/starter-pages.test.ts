import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findStarter, loadStarters } from '../../src/starters/index.js';
import { toolOrSkip } from '../support/tools.js';
import { canServe, pythonModuleOrSkip, serve, stopAll, writeCodeDir } from './serve-starter.js';

/*
 * The starters' pages in Debian's Chromium, served by the runner, under a
 * strict Content-Security-Policy added to every response (no inline script,
 * nothing from another origin): the chart is drawn, the chat carries a
 * message between two pages, the upload form shows the file's digest, the
 * theme button works. The starters' own JavaScript is what runs.
 */

const CHROMIUM = '/usr/bin/chromium';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:";
const starters = loadStarters();
const haveChromium = canServe && toolOrSkip(CHROMIUM, ['--headless', '--no-sandbox', '--version']);
const haveAll = haveChromium && pythonModuleOrSkip('jinja2') && pythonModuleOrSkip('multipart') && pythonModuleOrSkip('websockets');

let browser: Browser | undefined;
beforeAll(async () => {
  if (!haveAll) return;
  // As root Chromium needs --no-sandbox; the next ones keep it off the network and the GPU. A document
  // answered through page routing has no address space, so Chromium's local-network checks would
  // take it for a public page and refuse its WebSocket to 127.0.0.1: the check is off here.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-features=LocalNetworkAccessChecks',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  stopAll();
});

/** A page whose every response carries the strict CSP, collecting console errors and CSP refusals. */
async function strictPage(): Promise<{ page: Page; errors: string[] }> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext();
  // The policy rides on the documents; scripts, styles, fetches and form posts go to the app untouched.
  await context.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

describe.skipIf(!haveAll)('starter pages in Chromium under a strict CSP', () => {
  it('dashboard-chart draws one bar per day from /api/visits, and redraws for another range', async () => {
    const { base } = await serve(findStarter(starters, 'dashboard-chart'));
    const { page, errors } = await strictPage();
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('#chart rect').count(), { timeout: 10_000 }).toBe(7);
    expect(await page.textContent('#title')).toBe('Visits per day');
    const heights = await page.$$eval('#chart rect', (rects) => rects.map((rect) => Number(rect.getAttribute('height'))));
    expect(heights.every((height) => height > 0)).toBe(true);
    await page.selectOption('#days', '14');
    await expect.poll(() => page.locator('#chart rect').count(), { timeout: 10_000 }).toBe(14);
    expect(errors).toEqual([]);
  }, 60_000);

  it('ws-chat carries a message from one page to another', async () => {
    const { base } = await serve(findStarter(starters, 'ws-chat'));
    const alice = await strictPage();
    const bob = await strictPage();
    await alice.page.goto(`${base}/`);
    await bob.page.goto(`${base}/`);
    await bob.page.fill('#name', 'bob');
    await bob.page.fill('#text', 'first');
    await bob.page.click('button[type=submit]');
    await alice.page.fill('#name', 'alice');
    await alice.page.fill('#text', 'ahoy');
    await alice.page.click('button[type=submit]');
    await expect.poll(() => bob.page.locator('#messages li').allTextContents(), { timeout: 10_000 }).toContain('aliceahoy');
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  }, 60_000);

  it("upload-form shows the uploaded file's size and SHA-256", async () => {
    const { base } = await serve(findStarter(starters, 'upload-form'));
    const { page, errors } = await strictPage();
    const file = join(writeCodeDir(findStarter(starters, 'hello')), 'main.py');
    const bytes = Buffer.from('ship log\n'.repeat(50));
    writeFileSync(file, bytes);
    await page.goto(`${base}/`);
    await page.fill('input[name=note]', 'from the browser');
    await page.setInputFiles('input[name=file]', file);
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('#result'), { timeout: 10_000 }).toContain('sha256');
    const shown = JSON.parse((await page.textContent('#result')) ?? '{}') as Record<string, unknown>;
    expect(shown).toMatchObject({
      note: 'from the browser',
      filename: 'main.py',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(errors).toEqual([]);
  }, 60_000);

  it('jinja-site loads its stylesheet and script from static/, and the theme button switches the theme', async () => {
    const { base } = await serve(findStarter(starters, 'jinja-site'));
    const { page, errors } = await strictPage();
    await page.goto(`${base}/places/lighthouse`);
    expect(await page.textContent('h1')).toBe('Lighthouse');
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(await background()).toBe('rgb(251, 251, 253)');
    await page.click('#theme');
    expect(await background()).toBe('rgb(22, 26, 34)');
    expect(errors).toEqual([]);
  }, 60_000);
});
