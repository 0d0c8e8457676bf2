/**
 * The Store contract: one suite, run against every adapter (SQLite always,
 * MongoDB when MONGODB_URI is set). Each case gets a fresh, empty store;
 * concurrent cases spread their calls over several connections to the same
 * data, as replicas would.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/ports/store.js';
import { appCases } from './store-apps.case.js';
import type { OpenStoreFixture, StoreFixture } from './store-fixtures.js';
import { jobCases } from './store-jobs.case.js';
import { miscCases } from './store-misc.case.js';
import { userCases } from './store-users.case.js';

export type { OpenStoreFixture, StoreFixture } from './store-fixtures.js';

/** Registers the whole contract for one adapter. */
export function describeStoreContract(adapter: string, open: OpenStoreFixture): void {
  describe(`Store contract: ${adapter}`, () => {
    let fixture: StoreFixture | undefined;
    let extra: Store[] = [];

    beforeEach(async () => {
      fixture = await open();
    });
    afterEach(async () => {
      await Promise.all(extra.map((store) => store.close()));
      extra = [];
      await fixture?.dispose();
      fixture = undefined;
    });

    const current = (): StoreFixture => {
      if (fixture === undefined) throw new Error('no store open');
      return fixture;
    };
    // The store itself plus two more connections to the same data.
    const peers = async (): Promise<Store[]> => {
      const more = await Promise.all([current().connect(), current().connect()]);
      extra.push(...more);
      return [current().store, ...more];
    };

    describe('users and refresh tokens', () => userCases(current, peers));
    describe('apps and deployments', () => appCases(current, peers));
    describe('jobs', () => jobCases(current, peers));
    describe('leases, audit, settings', () => miscCases(current, peers));
  });
}
