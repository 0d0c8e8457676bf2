/** Leases, the audit trail and settings on MongoDB. */
import type { Collection, Db, Filter } from 'mongodb';
import type { AuditStore, LeaseStore, SettingsStore } from '../../ports/store.js';
import { toInstant, toJsonText } from '../../store/record-schemas.js';
import { toAuditEvent } from './mongo-docs.js';
import type { AuditDoc, LeaseDoc, SettingDoc } from './mongo-docs.js';
import { guard, isDuplicateKey } from './mongo-errors.js';

/**
 * The LeaseStore on MongoDB. One upsert either renews our lease, takes over
 * an expired one, or (when the name is held by someone else and live) fails
 * its insert on the unique `_id`: that duplicate key is the "no".
 */
export function createMongoLeases(db: Db): LeaseStore {
  const leases: Collection<LeaseDoc> = db.collection('leases');
  return {
    acquire: (name, owner, now, until) =>
      guard(async () => {
        try {
          await leases.updateOne(
            { _id: name, $or: [{ owner }, { until: { $lte: toInstant(now) } }] },
            { $set: { owner, until: toInstant(until) } },
            { upsert: true },
          );
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      }),
    release: (name, owner) => guard(async () => void (await leases.deleteOne({ _id: name, owner }))),
  };
}

/** The AuditStore on MongoDB. */
export function createMongoAudit(db: Db): AuditStore {
  const audit: Collection<AuditDoc> = db.collection('audit');
  return {
    append: (event) =>
      guard(async () => {
        const { id, details, ...rest } = event;
        await audit.insertOne({ ...rest, _id: id, ...(details === undefined ? {} : { details: toJsonText(details) }) });
      }),
    list: (filter) =>
      guard(async () => {
        const query: Filter<AuditDoc> = {
          ...(filter?.actor === undefined ? {} : { actor: filter.actor }),
          ...(filter?.target === undefined ? {} : { target: filter.target }),
        };
        const docs = await audit
          .find(query)
          .sort({ at: -1, _id: -1 })
          .limit(filter?.limit ?? 100)
          .toArray();
        return docs.map(toAuditEvent);
      }),
  };
}

/** The SettingsStore on MongoDB: values are JSON text, exactly as on SQLite. */
export function createMongoSettings(db: Db): SettingsStore {
  const settings: Collection<SettingDoc> = db.collection('settings');
  return {
    get: <T>(key: string) =>
      guard(async (): Promise<T | undefined> => {
        const doc = await settings.findOne({ _id: key });
        // The caller owns the value's shape (and parses it); JSON null reads as absent.
        return doc === null ? undefined : (JSON.parse(doc.value) ?? undefined);
      }),
    put: (key, value, now) =>
      guard(async () => {
        await settings.updateOne({ _id: key }, { $set: { value: toJsonText(value), updatedAt: now } }, { upsert: true });
      }),
  };
}
