import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { openApiChecker } from '../support/openapi-check.js';

const ROOT = join(import.meta.dirname, '..', '..');

export { freePort };

export interface RunningServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the server wrote, for assertions on logs. */
  readonly output: () => string;
  /** Waits for the process to exit. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts the real server: `node --import tsx src/main.ts` (what `tsx
 * src/main.ts` does, but as ONE process, so that kill -9 really kills the
 * server rather than a wrapper) on 127.0.0.1 with the given DATA_DIR.
 */
export async function startServer(dataDir: string, env: Record<string, string> = {}, port?: number): Promise<RunningServer> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // RUNTIME=none unless a test asks for apps to run: most e2e tests are about commits, not runner processes.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(chosen),
      LOG_LEVEL: 'info',
      RUNTIME: 'none',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${chosen}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return { url, child, output: () => output, exited };
}

/** A small API client for the tests: JSON in and out, a timeout on every call, every response checked against the served OpenAPI document. */
export function client(url: string) {
  let contract: Promise<ReturnType<typeof openApiChecker>> | undefined;
  async function checkContract(method: string, path: string, res: Response, text: string): Promise<void> {
    contract ??= fetch(`${url}/api/v1/openapi.json`, { signal: AbortSignal.timeout(30_000) }).then(async (r) => openApiChecker(await r.json()));
    const problems = (await contract).check({ method, path, status: res.status, contentType: res.headers.get('Content-Type'), text });
    if (problems.length > 0) throw new Error(`response does not match the OpenAPI document:\n${problems.join('\n')}`);
  }

  async function call(method: string, path: string, init: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    await checkContract(method, path, res, text);
    // Tests read response fields freely; the shapes are asserted, not assumed.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
  }
  return {
    call,
    async signup(username: string): Promise<string> {
      const res = await call('POST', '/api/v1/auth/signup', { body: { username, email: `${username}@example.com`, password: 'correct horse battery staple' } });
      if (res.status !== 201) throw new Error(`signup ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    },
    /** Follows a deployment's SSE stream to its end; returns the stages seen and the final deployment. */
    async follow(token: string, id: string) {
      const res = await fetch(`${url}/api/v1/deployments/${id}/events`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
      if (!res.ok) throw new Error(`events ${id}: ${res.status}`);
      const text = await res.text();
      await checkContract('GET', `/api/v1/deployments/${id}/events`, res, text);
      const blocks = text.split('\n\n').filter((b) => b.includes('event:'));
      const events = blocks.map((b) => ({
        event: /event: ?(.*)/.exec(b)?.[1],
        data: JSON.parse(/data: ?(.*)/.exec(b)?.[1] ?? 'null') as Record<string, unknown>,
      }));
      const end = events.find((e) => e.event === 'end')?.data.deployment as { status: string; commit?: string } | undefined;
      return { stages: events.filter((e) => e.event === 'stage').map((e) => e.data.stage), end };
    },
    /** Polls until the deployment reaches a final status (after a restart, when no stream is open). */
    async waitFinal(token: string, id: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await call('GET', `/api/v1/deployments/${id}`, { token });
        const status = res.body?.deployment?.status as string | undefined;
        if (status && status !== 'queued') return res.body.deployment as { status: string; commit?: string; error?: string };
        if (Date.now() > deadline) throw new Error(`deployment ${id} still ${status} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** `hello` with a distinguishing line, so every deploy is a real change. */
export function helloFiles(marker: string): Record<string, string> {
  return { 'main.py': `from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"message": "${marker}"}\n` };
}
