/** The Store contract on SQLite (temp files), plus restart and migration checks. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, appliedMigrations, migrate, openSqliteStore } from '../../src/adapters/store-sqlite/index.js';
import { describeStoreContract } from '../contracts/store.case.js';
import { at, newApp, newDeployment, newJob, newUser } from '../contracts/store-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'berth-store-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshPath(): string {
  counter += 1;
  return join(root, `case-${counter}`, 'berth.db');
}

describeStoreContract('sqlite', async () => {
  const path = freshPath();
  mkdirSync(join(path, '..'), { recursive: true });
  const store = openSqliteStore({ path });
  return {
    store,
    connect: async () => openSqliteStore({ path }),
    dispose: async () => {
      await store.close();
      rmSync(join(path, '..'), { recursive: true, force: true });
    },
  };
});

describe('SQLite store on disk', () => {
  it('keeps data and migrations across a restart on the same file', async () => {
    const path = join(root, 'restart.db');
    const first = openSqliteStore({ path });
    const user = await first.users.create(newUser('alice'));
    await first.apps.create(newApp('alice', 'web', user.id));
    const deployment = newDeployment(user.id, { idempotencyKey: 'k' });
    const job = newJob();
    await first.deployments.enqueue(deployment, job);
    await first.jobs.claim('w1', at(0), at(30));
    await first.close();

    const second = openSqliteStore({ path });
    expect(await second.users.byUsername('alice')).toMatchObject({ id: user.id, roles: ['editor', 'admin'] });
    expect((await second.users.create(newUser('bob'))).roles).toEqual(['editor']);
    expect(await second.apps.get('alice', 'web')).toEqual(newApp('alice', 'web', user.id));
    expect(await second.deployments.get(deployment.id)).toEqual(deployment);
    expect((await second.deployments.enqueue(newDeployment(user.id, { idempotencyKey: 'k' }), newJob())).created).toBe(false);
    // The dead worker's job comes back once its lease runs out.
    expect(await second.jobs.claim('w2', at(30), at(60))).toMatchObject({ id: job.id, attempts: 2 });
    await second.close();

    const db = new Database(path, { readonly: true });
    expect(appliedMigrations(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('applies each migration once, also when asked again', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    const next = { version: MIGRATIONS.length + 1, name: 'test column', sql: 'ALTER TABLE apps ADD COLUMN extra TEXT' };
    expect(migrate(db, [...MIGRATIONS, next])).toEqual([next.version]);
    expect(migrate(db, [...MIGRATIONS, next])).toEqual([]);
    expect(appliedMigrations(db)).toEqual([...MIGRATIONS.map((m) => m.version), next.version]);
    db.close();
  });

  it('works in memory for tests, with foreign keys on', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    await expect(store.refreshTokens.insert({ hash: 'h', userId: 'nobody', familyId: 'f', createdAt: at(0), expiresAt: at(1) })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await store.close();
    await store.close();
  });
});
