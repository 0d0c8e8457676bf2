/** Apps and their drafts on MongoDB. */
import type { Collection, Db } from 'mongodb';
import type { AppStore } from '../../ports/store.js';
import { appKey, fromApp, toApp } from './mongo-docs.js';
import type { AppDoc } from './mongo-docs.js';
import { guard } from './mongo-errors.js';
import { maybe } from './mongo-users.js';

/** The AppStore on MongoDB. Activity only moves forward ($max), as on SQLite. */
export function createMongoApps(db: Db): AppStore {
  const apps: Collection<AppDoc> = db.collection('apps');
  return {
    create: (app) =>
      guard(async () => {
        await apps.insertOne(fromApp(app));
        return app;
      }),
    get: (tenant, name) => guard(async () => maybe(await apps.findOne({ _id: appKey(tenant, name) }), toApp)),
    list: (filter) =>
      guard(async () => {
        const query = filter?.tenant === undefined ? {} : { tenant: filter.tenant };
        return (await apps.find(query).sort({ tenant: 1, name: 1 }).toArray()).map(toApp);
      }),
    updateDraft: (tenant, name, draft, now) =>
      guard(async () =>
        maybe(
          await apps.findOneAndUpdate(
            { _id: appKey(tenant, name) },
            { $set: { draft: JSON.stringify(draft), updatedAt: now }, $max: { lastActivityAt: now } },
            { returnDocument: 'after' },
          ),
          toApp,
        ),
      ),
    touch: (tenant, name, now) => guard(async () => void (await apps.updateOne({ _id: appKey(tenant, name) }, { $max: { lastActivityAt: now } }))),
    setLive: (tenant, name, commit, at) =>
      guard(async () => void (await apps.updateOne({ _id: appKey(tenant, name) }, { $set: { liveCommit: commit, liveAt: at }, $max: { lastActivityAt: at } }))),
    remove: (tenant, name) => guard(async () => void (await apps.deleteOne({ _id: appKey(tenant, name) }))),
  };
}
