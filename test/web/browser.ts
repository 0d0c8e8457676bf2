import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { toolOrSkip } from '../support/tools.js';

const ROOT = join(import.meta.dirname, '..', '..');
export const WEB_DIR = join(ROOT, 'dist', 'web');
export const SCREENSHOTS = join(ROOT, 'dist', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium: skips loudly on a laptop without it, fails under CI=true. */
export const hasChromium = () => toolOrSkip(CHROMIUM, ['--headless', '--no-sandbox', '--version']);

/**
 * Chromium as root needs --no-sandbox; the rest keeps it from calling home
 * (the network is closed) and from spending the shared cores on a GPU process.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the UI when dist/web is missing or older than src/web (npm ci's prepare builds it once). */
export function ensureWebBuilt(): void {
  const index = join(WEB_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(ROOT, 'src', 'web'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src/web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: 120_000,
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { target: unknown }[];
}

/** axe-core on the page as it is now: the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol: a <script> tag would be (rightly) refused by Berth's CSP.
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.evaluate(axeSource);
  const result = await page.evaluate<{ violations: AxeViolation[] }>("axe.run(document, { resultTypes: ['violations'] })");
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) }));
}

/** A screenshot of the page in light and in dark, named for the page; returns the two paths. */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const paths: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const path = join(SCREENSHOTS, `${name}-${scheme}.png`);
    await page.screenshot({ path, fullPage: true });
    paths.push(path);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return paths;
}

/** Figures a browser test measured, for the closing note (dist/screenshots/measurements.json). */
export function recordMeasurement(key: string, value: unknown): void {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, 'measurements.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[key] = value;
  writeFileSync(file, JSON.stringify(all, null, 2));
}

/** Console errors and CSP refusals of a page, collected from the start; a test asserts there are none. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|404|422)/.test(message.text()))
      errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
