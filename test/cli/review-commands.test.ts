import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { client, startServer, type RunningServer } from '../e2e/server.js';

let server: RunningServer;
let dataDir: string;
let home: string;

async function berth(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-cli-review-'));
  home = mkdtempSync(join(tmpdir(), 'berth-cli-review-home-'));
  server = await startServer(dataDir);
  process.env.XDG_CONFIG_HOME = join(home, 'config');
  process.env.BERTH_PASSWORD = 'correct horse battery staple';
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  delete process.env.BERTH_PASSWORD;
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('berth in review mode', () => {
  it('deploy prints the request; reviews lists it; review show prints both diffs; approve lands it; deploy --wait waits for the verdict', async () => {
    const api = client(server.url);
    const alice = await api.signup('alice');
    await api.signup('bob');
    expect((await api.call('PUT', '/api/v1/admin/users/bob/roles', { token: alice, body: { roles: ['reviewer'] } })).status).toBe(200);
    expect((await api.call('PUT', '/api/v1/admin/tenants/alice/policy', { token: alice, body: { mode: 'review' } })).status).toBe(200);
    const bob = (await api.call('POST', '/api/v1/auth/login', { body: { username: 'bob', password: 'correct horse battery staple' } })).body
      .accessToken as string;

    expect((await berth('login', '--username', 'alice', '--server', server.url)).code).toBe(0);
    const dir = join(home, 'web');
    expect((await berth('init', dir, '--template', 'hello')).code).toBe(0);
    const deployed = await berth('deploy', dir, '--message', 'first');
    expect(deployed.code, deployed.err).toBe(0);
    const id = /Awaiting review: change request ([0-9a-f]{12}) on branch berth\/alice\/web\/\1/.exec(deployed.out)?.[1];
    expect(id, deployed.out).toBeDefined();
    expect(deployed.out).toContain(`${server.url}/reviews/${id}`);

    // The author cannot approve: the server's 403 comes through.
    const own = await berth('review', 'approve', id ?? '');
    expect(own.code).not.toBe(0);
    expect(own.err).toMatch(/someone other than its author/);

    expect((await berth('login', '--username', 'bob', '--server', server.url)).code).toBe(0);
    const listed = await berth('reviews');
    expect(listed.out).toMatch(new RegExp(`^${id}\\s+\\d+s\\s+alice\\s+alice/web  first$`, 'm'));
    const shown = await berth('review', 'show', id ?? '');
    expect(shown.out).toContain('validation: passed');
    expect(shown.out).toMatch(
      /--- code ---[\s\S]*\+\+\+ b\/tenants\/[0-9a-f]{2}\/alice\/web\/code\/main\.py[\s\S]*--- rendered manifests ---[\s\S]*kind: Kustomization/,
    );
    expect((await berth('review', 'reject', id ?? '')).code).not.toBe(0);
    const approved = await berth('review', 'approve', id ?? '', '-m', 'ship it');
    expect(approved.code, approved.err).toBe(0);
    expect(approved.out).toBe('Approved: alice/web landed on main (approved by bob)');

    // --wait: the deploy stays with the request until a reviewer decides.
    expect((await berth('login', '--username', 'alice', '--server', server.url)).code).toBe(0);
    writeFileSync(join(dir, 'main.py'), 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"v": 2}\n');
    const waiting = berth('deploy', dir, '--wait');
    const second = await until(async () => {
      const open = await api.call('GET', '/api/v1/change-requests', { token: bob });
      return open.body.changeRequests[0]?.id as string | undefined;
    });
    expect((await api.call('POST', `/api/v1/change-requests/${second}/reject`, { token: bob, body: { comment: 'not like this' } })).status).toBe(200);
    const verdict = await waiting;
    expect(verdict.code).not.toBe(0);
    expect(verdict.out).toMatch(/awaiting_review[\s\S]*rejected/);
    expect(verdict.err).toContain('error: rejected in review: see berth review show ');
  }, 120_000);
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
