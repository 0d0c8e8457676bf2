import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fsckStrict, gitOut } from '../support/git-cli.js';
import { client, freePort, helloFiles, startServer, type RunningServer } from './server.js';

const servers: RunningServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
    await server.exited;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** How many commits on main carry `Berth-Request: <id>`, per id. */
function requestCounts(gitdir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of gitOut(gitdir, ['log', 'main', '--format=%(trailers:key=Berth-Request,valueonly)']).split('\n')) {
    const id = line.trim();
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Users, each with `perUser` apps created from the hello template (created serially: not what is measured). */
async function seed(api: ReturnType<typeof client>, users: string[], perUser: number) {
  const tokens = new Map<string, string>();
  for (const user of users) {
    const token = await api.signup(user);
    tokens.set(user, token);
    for (let i = 0; i < perUser; i++) {
      const res = await api.call('POST', '/api/v1/apps', { token, body: { name: `app-${i}`, files: helloFiles(`${user}-${i}`), entrypoint: 'main.py' } });
      expect(res.status).toBe(201);
    }
  }
  return tokens;
}

describe('deploys as durable jobs on the real server', () => {
  it('20 concurrent deploys from 4 users each end as exactly one commit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
    dirs.push(dataDir);
    const server = await startServer(dataDir);
    servers.push(server);
    const api = client(server.url);
    const users = ['ann', 'ben', 'cat', 'dan'];
    const tokens = await seed(api, users, 5);
    const requests = users.flatMap((user) => Array.from({ length: 5 }, (_, i) => ({ user, app: `app-${i}`, token: tokens.get(user) ?? '' })));
    const accepted = await Promise.all(requests.map((r) => api.call('POST', `/api/v1/apps/${r.user}/${r.app}/deploy`, { token: r.token, body: {} })));
    expect(accepted.map((r) => r.status)).toEqual(requests.map(() => 202));
    const finals = await Promise.all(accepted.map((r, i) => api.waitFinal(requests[i]?.token ?? '', r.body.deployment.id as string)));
    expect(finals.map((d) => d.status)).toEqual(requests.map(() => 'committed'));
    const counts = requestCounts(join(dataDir, 'apps.git'));
    for (const r of accepted) expect(counts.get(r.body.deployment.id as string)).toBe(1);
    expect(new Set(finals.map((d) => d.commit)).size).toBe(20);
    fsckStrict(join(dataDir, 'apps.git'));
  });

  it('kill -9 during a burst of accepted deploys, then a restart: every 202 ends committed exactly once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
    dirs.push(dataDir);
    const port = await freePort();
    const first = await startServer(dataDir, { RATE_LIMIT_DEPLOY_PER_MINUTE: '1000' }, port);
    servers.push(first);
    const api = client(first.url);
    const users = ['eve', 'fay', 'gus'];
    const tokens = await seed(api, users, 12);
    const requests = users.flatMap((user) => Array.from({ length: 12 }, (_, i) => ({ user, app: `app-${i}`, token: tokens.get(user) ?? '' })));

    const accepted: { id: string; token: string }[] = [];
    let killed = false;
    const burst = requests.map(async (r, i) => {
      // Staggered so that some requests are answered before the kill and some are cut off by it.
      await new Promise((resolve) => setTimeout(resolve, i * 15));
      try {
        const res = await api.call('POST', `/api/v1/apps/${r.user}/${r.app}/deploy`, { token: r.token, body: {} });
        if (res.status === 202) accepted.push({ id: res.body.deployment.id as string, token: r.token });
      } catch {
        // The connection died with the server: not accepted, so no promise was made.
      }
      if (!killed && accepted.length >= 12) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    });
    await Promise.all(burst);
    expect(killed).toBe(true);
    await first.exited;
    expect(accepted.length).toBeGreaterThanOrEqual(12);

    const second = await startServer(dataDir, {}, port);
    servers.push(second);
    const finals = await Promise.all(accepted.map((a) => api.waitFinal(a.token, a.id)));
    expect(finals.map((d) => d.status)).toEqual(accepted.map(() => 'committed'));
    const counts = requestCounts(join(dataDir, 'apps.git'));
    for (const a of accepted) expect(counts.get(a.id), `commits for ${a.id}`).toBe(1);
    for (const [, count] of counts) expect(count).toBe(1);
    // Objects are written to temp files and renamed, refs moved under a lock: a kill -9 mid-write leaves nothing fsck rejects.
    fsckStrict(join(dataDir, 'apps.git'));
  });
});
