import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startServer, type RunningServer } from '../e2e/server.js';
import { ensureWebBuilt, hasChromium, launchChromium, recordMeasurement, WEB_DIR } from './browser.js';

interface ManifestChunk {
  readonly file: string;
  readonly imports?: readonly string[];
  readonly dynamicImports?: readonly string[];
  readonly isEntry?: boolean;
}

/** Every JS file the browser loads for a chunk: the chunk and its static imports, transitively. */
function jsClosure(manifest: Record<string, ManifestChunk>, key: string, seen = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const dep of chunk.imports ?? []) jsClosure(manifest, dep, seen);
  return seen;
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

describe('web UI bundle', () => {
  it('keeps the editor route at or under 250 KB of gzipped JavaScript', () => {
    ensureWebBuilt();
    const manifest = JSON.parse(readFileSync(join(WEB_DIR, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
    const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
    const editor = Object.keys(manifest).find((k) => k.endsWith('pages/editor/editor-page.tsx'));
    expect(entry).toBeDefined();
    expect(editor).toBeDefined();
    const files = new Set([...jsClosure(manifest, entry ?? ''), ...jsClosure(manifest, editor ?? '')]);
    const gzipped = [...files].reduce((sum, file) => sum + gzipSync(readFileSync(join(WEB_DIR, file)), { level: 9 }).length, 0);
    const kb = Math.round(gzipped / 102.4) / 10;
    console.log(`editor route JavaScript: ${files.size} files, ${kb} KB gzipped`);
    recordMeasurement('editorRouteJsGzipKB', kb);
    expect(gzipped).toBeLessThanOrEqual(250 * 1024);
  });
});

/** First paint and validation latency in Chromium against the real server on 127.0.0.1. */
describe.skipIf(!hasChromium())('web UI performance', () => {
  const EDITORS = Number(process.env.BERTH_PERF_EDITORS ?? 20);
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'berth-web-perf-'));
    // Twenty people sign up from one address: lift the per-IP auth limit for this run. The typists below
    // validate every 300-700 ms, above the per-user validate limit (60/min): this measures latency, not the limit.
    server = await startServer(dataDir, { RATE_LIMIT_AUTH_PER_MINUTE: '1000', RATE_LIMIT_VALIDATE_PER_MINUTE: '100000', LOG_LEVEL: 'warn' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A signed-in browser context (refresh cookie set) with an app of the user's own from the hello template. */
  async function editorFor(user: string): Promise<Page> {
    const api = client(server.url);
    const token = await api.signup(user);
    const created = await api.call('POST', '/api/v1/apps', { token, body: { name: 'perf', template: 'hello' } });
    expect(created.status).toBe(201);
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1200, height: 800 } });
    contexts.push(context);
    const login = await context.request.post('/api/v1/auth/login', { data: { username: user, password: 'correct horse battery staple' } });
    expect(login.status()).toBe(200);
    const page = await context.newPage();
    return page;
  }

  // One retry: these are timings on a machine whose two cores other suites share.
  it('paints the editor route within 1 s', { retry: 1 }, async () => {
    const page = await editorFor('fcp');
    const samples: { fcp: number; editor: number }[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto('/apps/fcp/perf');
      await page.getByRole('textbox', { name: 'main.py' }).waitFor();
      samples.push(
        await page.evaluate<{ fcp: number; editor: number }>(
          "({ fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, editor: performance.now() })",
        ),
      );
    }
    const fcp = percentile(
      samples.map((s) => s.fcp),
      50,
    );
    const editor = percentile(
      samples.map((s) => s.editor),
      50,
    );
    console.log(
      `editor route: first contentful paint median ${Math.round(fcp)} ms (max ${Math.round(Math.max(...samples.map((s) => s.fcp)))}), editor ready median ${Math.round(editor)} ms`,
    );
    recordMeasurement('editorFcpMs', {
      median: Math.round(fcp),
      max: Math.round(Math.max(...samples.map((s) => s.fcp))),
      editorReadyMedian: Math.round(editor),
    });
    expect(Math.max(...samples.map((s) => s.fcp))).toBeLessThanOrEqual(1000);
  });

  /**
   * One editor in Chromium is measured while nineteen others type at once
   * against the same server, as HTTP clients sending what their editors
   * send (the whole draft after each pause, every 300-700 ms). Twenty
   * Chromium renderers on this machine's two shared cores would measure
   * the test machine, not Berth: each person has their own browser.
   */
  it(`answers validation as you type within 150 ms at p95 with ${EDITORS} editors typing at once`, { retry: 1, timeout: 240_000 }, async () => {
    const page = await editorFor('typist0');
    const others = await Promise.all(
      Array.from({ length: EDITORS - 1 }, async (_, i) => {
        const api = client(server.url);
        const user = `typist${i + 1}`;
        const token = await api.signup(user);
        const app = await api.call('POST', '/api/v1/apps', { token, body: { name: 'perf', template: 'hello' } });
        return { api, token, user, files: app.body.app.draft.files as Record<string, string> };
      }),
    );
    await page.goto('/apps/typist0/perf');
    await page.getByRole('textbox', { name: 'main.py' }).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    // Trips from here on are typing; the editor's first check at load is not counted.
    await page.evaluate(() => performance.mark('perf:typing'));

    let typing = true;
    const serverTrips: number[] = [];
    const background = others.map(async ({ api, token, user, files }, i) => {
      for (let n = 0; typing; n++) {
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 400));
        const body = { files: { ...files, 'main.py': `${files['main.py']}\nx = ${n % 2 === 0 ? '= ' : ''}${i}\n` }, entrypoint: 'main.py' };
        const started = performance.now();
        const res = await api.call('POST', `/api/v1/apps/${user}/perf/validate`, { token, body });
        serverTrips.push(performance.now() - started);
        expect(res.status).toBe(200);
      }
    });

    // The measured editor types a broken line, pauses (the lint fires after 300 ms), fixes it, pauses.
    for (let round = 0; round < 24; round++) {
      // Counted before typing: under load an answer can land before a later read would.
      const shown = await page.evaluate(() => performance.getEntriesByName('berth:lint-shown').length);
      await page.keyboard.type(round % 2 === 0 ? 'x = = 1' : 'x = 1', { delay: 40 });
      // A function, not a string: Berth's CSP (rightly) forbids eval in the page.
      await page.waitForFunction((before) => performance.getEntriesByName('berth:lint-shown').length > before, shown, { timeout: 15_000 });
      await page.keyboard.press('Home');
      await page.keyboard.press('Shift+End');
      await page.keyboard.press('Backspace');
    }
    typing = false;
    await Promise.all(background);

    const marks = await page.evaluate(() => {
      const start = performance.getEntriesByName('perf:typing')[0]?.startTime ?? 0;
      return performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('berth:lint-') && m.startTime > start)
        .map((m) => ({ name: m.name, t: m.startTime }));
    });
    // A trip: a request sent, then the underline update before another request went out.
    const trips: number[] = [];
    for (let i = 0; i < marks.length - 1; i++) {
      const [sent, shown] = [marks[i], marks[i + 1]];
      if (sent?.name === 'berth:lint-sent' && shown?.name === 'berth:lint-shown') trips.push(shown.t - sent.t);
    }
    const p50 = percentile(trips, 50);
    const p95 = percentile(trips, 95);
    const serverP95 = percentile(serverTrips, 95);
    console.log(
      `validation round trip in the browser with ${EDITORS} editors typing: ${trips.length} trips, p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...trips).toFixed(1)} ms; ` +
        `the other ${EDITORS - 1} editors' ${serverTrips.length} requests: p50 ${percentile(serverTrips, 50).toFixed(1)} ms, p95 ${serverP95.toFixed(1)} ms`,
    );
    recordMeasurement('validationRoundTripMs', {
      editors: EDITORS,
      browserTrips: trips.length,
      p50: Math.round(p50),
      p95: Math.round(p95),
      max: Math.round(Math.max(...trips)),
      otherEditorsRequests: serverTrips.length,
      otherEditorsP95: Math.round(serverP95),
    });
    expect(trips.length).toBeGreaterThanOrEqual(16);
    expect(serverTrips.length).toBeGreaterThanOrEqual((EDITORS - 1) * 10);
    expect(p95).toBeLessThanOrEqual(150);
  });
});
