import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupAndPrune } from '../../src/adapters/backup/scheduled-backup.js';
import { fsckStrict, gitOut } from '../support/git-cli.js';
import { toolOrSkip } from '../support/tools.js';
import { client, helloFiles, startServer } from './server.js';

/*
 * The restore drill, as an operator would run it: a running Berth with users,
 * drafts, a sealed secret and deployments; `berth backup` while it runs; the
 * server stopped and DATA_DIR wiped; `berth restore`; the server started
 * again, and everything is back and deployable (the secret included, so the
 * secret-box key came back too).
 */
const ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'berth-drill-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const haveAge = toolOrSkip('age-keygen', ['--version']);

function berth(args: string[], dataDir: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe.skipIf(!haveAge)('backup and restore drill', () => {
  it('brings back every user, draft, deployment and secret, deployable', async () => {
    const keyFile = join(scratch, 'age.key');
    execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore', timeout: 10_000 });
    const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8', timeout: 10_000 }).trim();
    const env = { SOPS_AGE_RECIPIENTS: recipient };
    const dataDir = join(scratch, 'data');

    const first = await startServer(dataDir, env);
    const api = client(first.url);
    const alice = await api.signup('alice');
    const bob = await api.signup('bob');
    const draft = { files: helloFiles('v1'), entrypoint: 'main.py', env: { GREETING: 'hi', API_KEY: { secret: true, value: 'sk-drill-secret' } } };
    expect((await api.call('POST', '/api/v1/apps', { token: alice, body: { name: 'shop', ...draft } })).status).toBe(201);
    const deployed = await api.call('POST', '/api/v1/apps/alice/shop/deploy', { token: alice, body: { message: 'before the backup' } });
    expect((await api.waitFinal(alice, deployed.body.deployment.id)).status).toBe('committed');
    expect((await api.call('POST', '/api/v1/apps', { token: bob, body: { name: 'notes', files: helloFiles('bob'), entrypoint: 'main.py' } })).status).toBe(201);

    // Online: the server keeps running during the backup.
    const file = join(scratch, 'drill.backup');
    expect(berth(['backup', file], dataDir)).toMatch(/Wrote .*drill\.backup.*signing-key\.json, secret-box\.key/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await api.call('GET', '/api/v1/apps', { token: alice })).status).toBe(200);
    const headBefore = gitOut(join(dataDir, 'apps.git'), ['rev-parse', 'main']).trim();

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
    expect(berth(['restore', file], dataDir)).toMatch(/Restored/);
    expect(() => berth(['restore', file], dataDir)).toThrow(/--force/);
    fsckStrict(join(dataDir, 'apps.git'));
    expect(gitOut(join(dataDir, 'apps.git'), ['rev-parse', 'main']).trim()).toBe(headBefore);

    // The same address: the token issuer is the public URL.
    const second = await startServer(dataDir, env, Number(new URL(first.url).port));
    try {
      const again = client(second.url);
      // The old access token still verifies: the signing key came back.
      expect((await again.call('GET', '/api/v1/me', { token: alice })).body.user.username).toBe('alice');
      const login = await again.call('POST', '/api/v1/auth/login', { body: { username: 'bob', password: 'correct horse battery staple' } });
      expect(login.status).toBe(200);
      const shop = await again.call('GET', '/api/v1/apps/alice/shop', { token: alice });
      expect(shop.body.app.draft.env).toEqual({ GREETING: { value: 'hi', secret: false }, API_KEY: { secret: true } });
      const history = await again.call('GET', '/api/v1/apps/alice/shop/deployments', { token: alice });
      expect(history.body.deployments.map((d: { id: string }) => d.id)).toContain(deployed.body.deployment.id);
      expect((await again.call('GET', '/api/v1/apps/bob/notes', { token: login.body.accessToken })).status).toBe(200);
      // Deployable, sealed secret included (the secret-box key opens it).
      const redeploy = await again.call('POST', '/api/v1/apps/alice/shop/deploy', { token: alice, body: { message: 'after the restore' } });
      expect(redeploy.status).toBe(202);
      expect((await again.waitFinal(alice, redeploy.body.deployment.id)).status).toBe('committed');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 240_000);

  it('scheduled backups keep only the newest BACKUP_KEEP', async () => {
    const dataDir = join(scratch, 'scheduled');
    const server = await startServer(dataDir);
    try {
      for (let i = 0; i < 4; i++) await backupAndPrune({ dataDir, appsRepo: join(dataDir, 'apps.git') }, 2, new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    expect(readdirSync(join(dataDir, 'backups')).sort()).toEqual(['berth-20260101T000002Z.backup', 'berth-20260101T000003Z.backup']);
    expect(existsSync(join(dataDir, 'backups', 'berth-20260101T000000Z.backup'))).toBe(false);
  }, 120_000);
});
