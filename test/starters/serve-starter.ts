import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { expect } from 'vitest';

import type { Starter } from '../../src/starters/index.js';
import { freePort } from '../support/free-port.js';
import { hasTool, toolOrSkip } from '../support/tools.js';

/*
 * Runs a starter the way the runner image does: its files in a code folder,
 * /usr/bin/python3 runner/entrypoint.py with Debian's FastAPI, the code folder
 * as working directory (relative static/ and templates/ folders resolve there).
 */

export const PYTHON = '/usr/bin/python3';
const ENTRYPOINT = join(process.cwd(), 'runner', 'entrypoint.py');

/**
 * Whether `import <module>` works under /usr/bin/python3. A module that .ci/run
 * installs fails the run under CI=true; elsewhere its tests skip loudly.
 */
export function pythonModuleOrSkip(module: string, { requiredInCi = true } = {}): boolean {
  if (hasTool(PYTHON, ['-c', `import ${module}`])) return true;
  if (requiredInCi && process.env.CI === 'true') {
    throw new Error(`the Python module ${module} is required under CI=true but is not installed for ${PYTHON} (see .ci/run)`);
  }
  console.warn(`\n*** SKIPPING tests that need the Python module ${module}: it is not installed for ${PYTHON} ***\n`);
  return false;
}

export const canServe = existsSync(ENTRYPOINT) && toolOrSkip(PYTHON) && pythonModuleOrSkip('fastapi') && pythonModuleOrSkip('uvicorn');

export interface Served {
  readonly base: string;
  /** Everything the runner printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

const scratch = mkdtempSync(join(tmpdir(), 'berth-serve-'));
const running = new Set<ChildProcess>();
let count = 0;

/** Kills what is still running and removes the code folders (for afterAll). */
export function stopAll(): void {
  for (const child of running) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
}

/** Writes the starter's files into a fresh code folder and returns its path. */
export function writeCodeDir(starter: Starter): string {
  const codeDir = join(scratch, `${starter.id}-${++count}`);
  for (const [path, text] of Object.entries(starter.files)) {
    mkdirSync(dirname(join(codeDir, path)), { recursive: true });
    writeFileSync(join(codeDir, path), text);
  }
  return codeDir;
}

/** Writes the starter into a fresh code folder, starts the runner on it, waits for /ready. */
export async function serve(starter: Starter, env: Record<string, string> = {}): Promise<Served> {
  const codeDir = writeCodeDir(starter);
  const port = await freePort();
  const childEnv = { ...env, PATH: process.env.PATH ?? '', CODE_DIR: codeDir, ENTRYPOINT: starter.entrypoint, PORT: String(port), BERTH_HOST: '127.0.0.1' };
  const child = spawn(PYTHON, [ENTRYPOINT], { cwd: codeDir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  const served: Served = {
    base,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`runner exited ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    if (ready?.ok) return served;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await served.stop();
  throw new Error(`runner did not become ready in 20 s:\n${output}`);
}

/** The response's JSON, after checking that it is JSON. */
export async function json(response: Response): Promise<unknown> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return response.json();
}

/** GET with a timeout, so a hung app fails the test instead of stalling it. */
export function get(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000), ...init });
}

/** The main route answers (with `status`) and /docs is FastAPI's API page over an OpenAPI document. */
export async function expectMainRouteAndDocs(base: string, status = 200): Promise<void> {
  const main = await get(base, '/');
  expect(main.status, await main.clone().text()).toBe(status);
  const docs = await get(base, '/docs');
  expect(docs.status).toBe(200);
  expect(docs.headers.get('content-type')).toMatch(/text\/html/);
  expect(await docs.text()).toContain('swagger-ui');
  const openapi = (await json(await get(base, '/openapi.json'))) as { paths?: Record<string, unknown> };
  expect(Object.keys(openapi.paths ?? {}).length).toBeGreaterThan(0);
}
