import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startServer, type RunningServer } from './server.js';

/*
 * Embedded mode creates its apps repository from the skeleton, whose fleet
 * runner pin is the placeholder digest: the real server must say so at
 * start-up and to every signed-in user, until a real digest is pinned.
 */

let dataDir: string;
let server: RunningServer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-e2e-system-'));
  server = await startServer(dataDir);
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the placeholder runner pin on the real server', () => {
  it('is logged as a warning at start-up and reported by GET /api/v1/system', async () => {
    const warning = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; code?: string; msg: string })
      .find((entry) => entry.code === 'placeholder_runner_pin');
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain(`sha256:${'0'.repeat(64)}`);

    const api = client(server.url);
    const token = await api.signup('alice');
    const res = await api.call('GET', '/api/v1/system', { token });
    expect(res.status).toBe(200);
    expect(res.body.warnings.map((w: { code: string }) => w.code)).toEqual(['placeholder_runner_pin']);
  });
});
