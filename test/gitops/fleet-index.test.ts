import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fleetIndexFile } from '../../src/adapters/fs/fleet-index-file.js';
import { formatCommitMessage } from '../../src/domain/trailers.js';
import { FleetIndex, scanBerthYaml, type FleetIndexStore } from '../../src/gitops/fleet-index.js';
import { TEMPLATE_VERSION } from '../../src/render/index.js';
import { alice, bob, createFixture, helloApp, operator } from './setup.js';

type Fixture = Awaited<ReturnType<typeof createFixture>>;

function memoryStore(): FleetIndexStore & { text: string | undefined; saves: number } {
  const store = {
    text: undefined as string | undefined,
    saves: 0,
    load: async () => store.text,
    save: async (text: string) => {
      store.text = text;
      store.saves++;
    },
  };
  return store;
}

describe('reading berth.yaml by its spec lines', () => {
  const fixtures = join(import.meta.dirname, '..', 'fixtures', 'render');
  it('gives what the full parse gives for every golden berth.yaml, and refuses other shapes', () => {
    const files = ['single-file/tenants/2b/alice/hello', 'multi-file/tenants/81/bob/shop', 'secrets-pin-lockdown-asleep/tenants/4c/carol/vault'];
    for (const dir of files) {
      const text = readFileSync(join(fixtures, dir, 'berth.yaml'), 'utf8');
      const spec = (parse(text) as { spec: { templateVersion: number; replicas: number; asleepSince?: string } }).spec;
      expect(scanBerthYaml(text)).toEqual({
        templateVersion: spec.templateVersion,
        replicas: spec.replicas,
        ...(spec.asleepSince ? { asleepSince: spec.asleepSince } : {}),
      });
    }
    const text = readFileSync(join(fixtures, files[2] ?? '', 'berth.yaml'), 'utf8');
    expect(scanBerthYaml(text.replace('  replicas: 0', '  replicas: 0\n  replicas: 1'))).toBeUndefined();
    expect(scanBerthYaml(text.replace('  replicas: 0', '  replicas: zero'))).toBeUndefined();
    expect(scanBerthYaml(text.replace('kind: App', 'kind: Other'))).toBeUndefined();
    expect(scanBerthYaml('spec: {templateVersion: 1, replicas: 1}\n')).toBeUndefined();
  });
});

describe('fleet index', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture();
    for (const [tenant, app] of [
      ['alice', 'todo'],
      ['alice', 'blog'],
      ['bob', 'shop'],
    ] as const) {
      await f.gitops.deploy(helloApp(tenant, app), { actor: tenant === 'bob' ? bob : alice, requestId: f.nextRequest() });
    }
  });
  afterEach(async () => f.close());

  it('reads every app once, then only the apps a commit changed, including commits made outside Berth', async () => {
    const index = new FleetIndex(f.git, 'main');
    const first = await index.refresh();
    expect(index.lastReads).toBe(3);
    expect(first.outdated()).toEqual([]);

    await f.gitops.deploy(helloApp('carol', 'site'), { actor: operator, requestId: f.nextRequest() });
    await f.gitops.sleep([{ tenant: 'bob', app: 'shop' }], { actor: operator, requestId: f.nextRequest() });
    const after = await index.refresh();
    expect(index.lastReads).toBe(2);
    expect(after.entry({ tenant: 'bob', app: 'shop' })).toMatchObject({ replicas: 0, asleepSince: expect.any(String) });
    expect(after.entry({ tenant: 'carol', app: 'site' })).toBeUndefined();

    // An older Berth's render, committed by hand.
    const path = 'tenants/2b/alice/todo/berth.yaml';
    await f.git.apply({
      branch: 'main',
      requestId: 'by-hand',
      meta: {
        author: { name: 't', email: 't@example.com' },
        message: formatCommitMessage('by hand', { action: 'upgrade', apps: [], requestId: 'by-hand', actor: 't' }),
      },
      plan: async (tree) => [{ path, content: (await tree.readFile(path))!.replace(`templateVersion: ${TEMPLATE_VERSION}`, 'templateVersion: 0') }],
    });
    expect((await index.refresh()).outdated()).toEqual([{ tenant: 'alice', app: 'todo', templateVersion: 0 }]);
    expect(index.lastReads).toBe(1);

    await f.gitops.delete([{ tenant: 'alice', app: 'todo' }], { actor: alice, requestId: f.nextRequest() });
    expect((await index.refresh()).outdated()).toEqual([]);
    await index.refresh();
    expect(index.lastReads).toBe(0);
  });

  it('survives a restart through its store, and reads everything again when the stored index is unusable', async () => {
    const store = memoryStore();
    await new FleetIndex(f.git, 'main', store).refresh();
    expect(store.saves).toBe(1);

    const restarted = new FleetIndex(f.git, 'main', store);
    await restarted.refresh();
    expect(restarted.lastReads).toBe(0);
    await f.gitops.deploy(helloApp('alice', 'todo', 'again'), { actor: alice, requestId: f.nextRequest() });
    await restarted.refresh();
    expect(restarted.lastReads).toBe(1);

    for (const text of ['{not json', JSON.stringify({ format: 1, templateVersion: TEMPLATE_VERSION, commit: 'f'.repeat(40), apps: {} })]) {
      store.text = text;
      const fresh = new FleetIndex(f.git, 'main', store);
      await fresh.refresh();
      expect(fresh.lastReads).toBe(3);
    }
  });

  it('keeps the index in a file that a restarted process reads instead of every app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-fleet-'));
    try {
      const file = join(dir, 'fleet-index.json');
      await f.gitops.sleep([{ tenant: 'bob', app: 'shop' }], { actor: operator, requestId: f.nextRequest() });
      await new FleetIndex(f.git, 'main', fleetIndexFile(file)).refresh();
      expect(JSON.parse(readFileSync(file, 'utf8')).apps['bob/shop']).toMatchObject({ replicas: 0 });
      expect(readdirSync(dir)).toEqual(['fleet-index.json']);
      const restarted = new FleetIndex(f.git, 'main', fleetIndexFile(file));
      expect((await restarted.refresh()).entry({ tenant: 'bob', app: 'shop' })?.replicas).toBe(0);
      expect(restarted.lastReads).toBe(0);
      expect(await fleetIndexFile(join(dir, 'absent.json')).load()).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drives cleanup: inactive apps known to the store are slept and long sleepers deleted, without reading every app', async () => {
    const long = new Date(Date.now() - 30 * 24 * 3_600_000);
    const activity = new Map([
      ['alice/todo', long],
      ['bob/shop', new Date()],
    ]);
    const slept = await f.gitops.cleanup(activity, { actor: operator, requestId: f.nextRequest() });
    expect(slept.plan.sleep.map((a) => `${a.tenant}/${a.app}`)).toEqual(['alice/todo']);
    expect(slept.plan.delete).toEqual([]);
    const view = await f.gitops.fleet();
    expect(view.entry({ tenant: 'alice', app: 'todo' })?.replicas).toBe(0);
    const later = await f.gitops.cleanup(activity, { actor: operator, requestId: f.nextRequest() }, { sleepAfterHours: 1, deleteAfterHours: 0 });
    expect(later.plan.delete.map((a) => `${a.tenant}/${a.app}`)).toEqual(['alice/todo']);
    expect(later.delete?.status).toBe('committed');
    expect((await f.gitops.fleet()).entry({ tenant: 'alice', app: 'todo' })).toBeUndefined();
  });
});
