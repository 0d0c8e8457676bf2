/** Contract cases: leases, audit events, settings and liveness. */
import { expect, it } from 'vitest';
import type { Store } from '../../src/ports/store.js';
import { at, concurrently } from './store-fixtures.js';
import type { StoreFixture } from './store-fixtures.js';

export function miscCases(current: () => StoreFixture, peers: () => Promise<Store[]>): void {
  const store = (): Store => current().store;

  it('grants a lease to one owner until it expires, renews it for that owner, and frees it on release', async () => {
    const leases = store().leases;
    expect(await leases.acquire('cleanup', 'a', at(0), at(30))).toBe(true);
    expect(await leases.acquire('cleanup', 'b', at(10), at(40))).toBe(false);
    expect(await leases.acquire('cleanup', 'a', at(20), at(50))).toBe(true);
    expect(await leases.acquire('cleanup', 'b', at(49), at(79))).toBe(false);
    expect(await leases.acquire('cleanup', 'b', at(50), at(80))).toBe(true);
    expect(await leases.acquire('cleanup', 'a', at(60), at(90))).toBe(false);
    expect(await leases.acquire('upgrade', 'a', at(60), at(90))).toBe(true);
    await leases.release('cleanup', 'a');
    expect(await leases.acquire('cleanup', 'a', at(61), at(91))).toBe(false);
    await leases.release('cleanup', 'b');
    expect(await leases.acquire('cleanup', 'a', at(62), at(92))).toBe(true);
  });

  it('gives a free lease to exactly one of 10 concurrent owners', async () => {
    const stores = await peers();
    const results = await concurrently(10, (i) => stores[i % stores.length]!.leases.acquire('periodic', `replica-${i}`, at(0), at(30)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('lists audit events newest first, filtered by actor and target, with a limit', async () => {
    const events = [
      { id: 'e1', at: at(1), actor: 'u1', action: 'app.create', target: 'alice/web', outcome: 'ok' as const },
      { id: 'e2', at: at(2), actor: 'u2', action: 'app.deploy', target: 'bob/api', outcome: 'denied' as const },
      {
        id: 'e3',
        at: at(3),
        actor: 'u1',
        action: 'app.deploy',
        target: 'alice/web',
        requestId: 'req-9',
        outcome: 'failed' as const,
        details: { problems: 2, files: ['main.py'] },
      },
      { id: 'e4', at: at(4), actor: 'system', action: 'cleanup.sleep', target: 'bob/api', outcome: 'ok' as const },
    ];
    for (const event of events) await store().audit.append(event);
    expect((await store().audit.list()).map((e) => e.id)).toEqual(['e4', 'e3', 'e2', 'e1']);
    expect((await store().audit.list({ actor: 'u1' })).map((e) => e.id)).toEqual(['e3', 'e1']);
    expect((await store().audit.list({ target: 'bob/api' })).map((e) => e.id)).toEqual(['e4', 'e2']);
    expect((await store().audit.list({ actor: 'u1', target: 'alice/web', limit: 1 })).map((e) => e.id)).toEqual(['e3']);
    expect((await store().audit.list({ actor: 'u1' }))[0]).toEqual(events[2]);
  });

  it('keeps settings as JSON values and overwrites them', async () => {
    expect(await store().settings.get('imports.allow')).toBeUndefined();
    await store().settings.put('imports.allow', { modules: ['fastapi', 'pymongo'], strict: true }, at(1));
    expect(await store().settings.get('imports.allow')).toEqual({ modules: ['fastapi', 'pymongo'], strict: true });
    await store().settings.put('imports.allow', ['fasthtml'], at(2));
    expect(await store().settings.get('imports.allow')).toEqual(['fasthtml']);
    await store().settings.put('tenant.alice.policy', 7, at(3));
    expect(await store().settings.get<number>('tenant.alice.policy')).toBe(7);
  });

  it('answers ping', async () => {
    await expect(store().ping()).resolves.toBeUndefined();
  });
}
