/**
 * The MongoDB store, through the official driver: for deployments that run
 * several replicas against one database. Unique indexes carry the
 * constraints, conditional single-document updates carry the atomic
 * operations, and deployments use an outbox (see mongo-deployments.ts), so
 * a standalone server works as well as a replica set.
 */
import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import type { Store } from '../../ports/store.js';
import { createMongoApps } from './mongo-apps.js';
import { createMongoDeployments } from './mongo-deployments.js';
import { guard } from './mongo-errors.js';
import { createMongoJobs } from './mongo-jobs.js';
import { createMongoAudit, createMongoLeases, createMongoSettings } from './mongo-misc.js';
import { createMongoRefreshTokens, createMongoUsers } from './mongo-users.js';

export interface MongoStoreOptions {
  /** A mongodb:// or mongodb+srv:// URI (it may carry credentials: never log it). */
  readonly uri: string;
  /** Defaults to the URI's database, or `berth`. */
  readonly dbName?: string;
  /** Bounds server selection, connecting and every socket read, ms. */
  readonly timeoutMs: number;
}

/** Creates the indexes the contract depends on; idempotent, so every start runs it. */
export async function createIndexes(db: Db): Promise<void> {
  const unique = { unique: true };
  const hasString = (field: string) => ({ partialFilterExpression: { [field]: { $type: 'string' } } });
  await Promise.all([
    db.collection('users').createIndexes([
      { key: { usernameLower: 1 }, name: 'username_unique', ...unique },
      { key: { emailLower: 1 }, name: 'email_unique', ...unique },
      { key: { externalId: 1 }, name: 'external_id_unique', ...unique, ...hasString('externalId') },
      { key: { createdAt: 1 }, name: 'created' },
    ]),
    db.collection('refreshTokens').createIndexes([
      { key: { familyId: 1 }, name: 'family' },
      { key: { userId: 1 }, name: 'user' },
    ]),
    db.collection('apps').createIndexes([{ key: { tenant: 1, name: 1 }, name: 'tenant_app_unique', ...unique }]),
    db.collection('deployments').createIndexes([
      {
        key: { requestedBy: 1, idempotencyKey: 1 },
        name: 'idempotency_unique',
        ...unique,
        ...hasString('idempotencyKey'),
      },
      { key: { tenant: 1, app: 1, createdAt: -1 }, name: 'by_app' },
      { key: { status: 1, createdAt: 1 }, name: 'open' },
      { key: { 'outbox._id': 1 }, name: 'outbox', sparse: true },
    ]),
    db.collection('jobs').createIndexes([
      { key: { state: 1, runAt: 1, createdAt: 1 }, name: 'runnable' },
      { key: { state: 1, leaseUntil: 1 }, name: 'leased' },
      { key: { leaseOwner: 1, state: 1 }, name: 'owner' },
      { key: { state: 1, createdAt: 1 }, name: 'oldest' },
    ]),
    db.collection('audit').createIndexes([
      { key: { at: -1 }, name: 'at' },
      { key: { actor: 1, at: -1 }, name: 'actor' },
      { key: { target: 1, at: -1 }, name: 'target' },
    ]),
  ]);
}

/** Connects (failing within `timeoutMs` when the server is unreachable), creates indexes and publishes leftover outbox jobs. */
export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  const client = new MongoClient(options.uri, {
    serverSelectionTimeoutMS: options.timeoutMs,
    connectTimeoutMS: options.timeoutMs,
    socketTimeoutMS: options.timeoutMs,
    // Optional fields stay absent instead of being stored as null.
    ignoreUndefined: true,
    appName: 'berth',
  });
  try {
    await guard(() => client.connect());
    const db = client.db(options.dbName ?? (client.options.dbName || 'berth'));
    await guard(() => createIndexes(db));
    const deployments = createMongoDeployments(db);
    await guard(() => deployments.flushOutbox(true));
    return {
      users: createMongoUsers(db),
      refreshTokens: createMongoRefreshTokens(db),
      apps: createMongoApps(db),
      deployments: deployments.store,
      jobs: createMongoJobs(db, () => deployments.flushOutbox()),
      leases: createMongoLeases(db),
      audit: createMongoAudit(db),
      settings: createMongoSettings(db),
      ping: () => guard(async () => void (await db.command({ ping: 1 }))),
      close: () => client.close(),
    };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}
