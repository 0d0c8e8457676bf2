/**
 * The Store contract on MongoDB. It runs only when MONGODB_URI is set: no
 * MongoDB server can run on the development and CI machines of this project,
 * so there it is skipped, loudly (the one documented exception to "a missing
 * tool fails under CI=true"). Each case uses its own database, dropped after.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { openMongoStore } from '../../src/adapters/store-mongo/index.js';
import { fromDeployment, fromUser, toDeployment, toUser } from '../../src/adapters/store-mongo/mongo-docs.js';
import { fromJob } from '../../src/adapters/store-mongo/mongo-jobs.js';
import { toJob } from '../../src/adapters/store-mongo/mongo-docs.js';
import { UnavailableError } from '../../src/errors.js';
import { describeStoreContract } from '../contracts/store.case.js';
import { newDeployment, newJob, newUser } from '../contracts/store-fixtures.js';

const uri = process.env.MONGODB_URI;
const run = `berth_test_${process.pid}_${Date.now().toString(36)}`;
let counter = 0;

if (uri === undefined || uri === '') {
  console.warn(
    '\n*** SKIPPING the Store contract on MongoDB: MONGODB_URI is not set (no MongoDB server runs on these machines; ' +
      'the SQLite contract ran instead) ***\n',
  );
}

describe.skipIf(uri === undefined || uri === '')('MongoDB store', () => {
  const mongoUri = uri ?? '';
  describeStoreContract('mongodb', async () => {
    counter += 1;
    const dbName = `${run}_${counter}`;
    const opened = [await openMongoStore({ uri: mongoUri, dbName, timeoutMs: 5_000 })];
    return {
      store: opened[0]!,
      connect: async () => openMongoStore({ uri: mongoUri, dbName, timeoutMs: 5_000 }),
      dispose: async () => {
        await Promise.all(opened.map((store) => store.close()));
        const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5_000 });
        try {
          await client.db(dbName).dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  });
});

// These need no server, so they run everywhere.
describe('MongoDB store without a server', () => {
  it('gives up within its timeout with UnavailableError when nothing listens', async () => {
    const started = Date.now();
    await expect(openMongoStore({ uri: 'mongodb://127.0.0.1:9/berth', timeoutMs: 300 })).rejects.toBeInstanceOf(UnavailableError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('maps records to documents and back without loss', () => {
    const user = { ...newUser('Alice'), roles: ['editor' as const], externalId: 'iss|1' };
    const userDoc = fromUser(user);
    expect(userDoc).toMatchObject({ _id: user.id, usernameLower: 'alice', emailLower: 'alice@example.test' });
    expect(toUser(userDoc)).toEqual(user);
    const deployment = newDeployment(randomUUID(), { idempotencyKey: 'k', commit: 'abc' });
    expect(toDeployment(fromDeployment(deployment))).toEqual(deployment);
    const job = newJob({ leaseOwner: 'w', leaseUntil: '2025-01-01T00:00:30Z' });
    expect(toJob(fromJob(job))).toEqual({ ...job, leaseUntil: '2025-01-01T00:00:30.000Z' });
  });
});
