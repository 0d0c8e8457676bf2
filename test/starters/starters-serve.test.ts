import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../support/free-port.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { findStarter, loadStarters, type Starter } from '../../src/starters/index.js';
import { hasTool, toolOrSkip } from '../support/tools.js';

/*
 * The starters run under the real runner entrypoint with the system's
 * FastAPI, exactly as the runner image runs a deployed app. Parts skip until
 * runner/entrypoint.py exists; FastAPI itself is required under CI=true.
 */

const PYTHON = '/usr/bin/python3';
const ENTRYPOINT = join(process.cwd(), 'runner', 'entrypoint.py');
const canServe =
  existsSync(ENTRYPOINT) && toolOrSkip(PYTHON) && toolOrSkip(PYTHON, ['-c', 'import fastapi, uvicorn']);
const havePymongo = canServe && hasTool(PYTHON, ['-c', 'import pymongo']);
if (canServe && !havePymongo) console.warn('\n*** SKIPPING the todo-mongo serve test: python3-pymongo is not installed ***\n');

const scratch = mkdtempSync(join(tmpdir(), 'berth-serve-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

/** Writes the starter into a code folder, starts the runner on it, waits for /ready. */
async function serve(starter: Starter): Promise<{ base: string; output: () => string }> {
  const codeDir = join(scratch, starter.id);
  for (const [path, text] of Object.entries(starter.files)) {
    mkdirSync(dirname(join(codeDir, path)), { recursive: true });
    writeFileSync(join(codeDir, path), text);
  }
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? '', CODE_DIR: codeDir, ENTRYPOINT: starter.entrypoint, PORT: String(port), BERTH_HOST: '127.0.0.1' };
  const child = spawn(PYTHON, [ENTRYPOINT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`runner exited ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    if (ready?.ok) return { base, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`runner did not become ready in 20 s:\n${output}`);
}

async function json(response: Response): Promise<unknown> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return response.json();
}

describe.skipIf(!canServe)('starters served by runner/entrypoint.py', () => {
  const starters = loadStarters();

  it('hello answers its greeting routes', async () => {
    const { base } = await serve(findStarter(starters, 'hello'));
    expect(await json(await fetch(`${base}/`))).toEqual({ message: 'Hello from Berth!' });
    expect(await json(await fetch(`${base}/hello/Ada`))).toEqual({ message: 'Hello, Ada!' });
  }, 30_000);

  it('multi-file serves routes from its package and files from static/', async () => {
    const { base } = await serve(findStarter(starters, 'multi-file'));
    const created = await fetch(`${base}/api/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'ship it' }),
    });
    expect(created.status).toBe(201);
    expect(await json(created)).toEqual({ id: 1, text: 'ship it' });
    expect(await json(await fetch(`${base}/api/notes/1`))).toEqual({ id: 1, text: 'ship it' });
    expect((await fetch(`${base}/api/notes/2`)).status).toBe(404);
    const css = await fetch(`${base}/static/style.css`);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect(await css.text()).toContain('font-family');
    expect(await (await fetch(`${base}/`)).text()).toContain('/static/style.css');
  }, 30_000);

  it.skipIf(!havePymongo)('todo-mongo without MONGODB_URI says no database is attached', async () => {
    const { base } = await serve(findStarter(starters, 'todo-mongo'));
    expect(await json(await fetch(`${base}/`))).toEqual({ app: 'todo', database: 'not attached' });
    const todos = await fetch(`${base}/todos`);
    expect(todos.status).toBe(503);
    expect(JSON.stringify(await todos.json())).toContain('MONGODB_URI is not set');
  }, 30_000);
});
