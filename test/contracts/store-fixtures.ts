/** Builders for the store contract suite: fixed clock, unique ids, valid records. */
import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/ports/store.js';
import type { AppRecord, Deployment, Job, RefreshToken, Role, User } from '../../src/store/types.js';

/** What an adapter's test hands the suite: a fresh, empty store and a way to reach the same data again. */
export interface StoreFixture {
  readonly store: Store;
  /** Another connection to the same data, as a second replica would have (the suite closes it). */
  connect(): Promise<Store>;
  /** Closes everything and removes the data. */
  dispose(): Promise<void>;
}

export type OpenStoreFixture = () => Promise<StoreFixture>;

const EPOCH = Date.UTC(2025, 0, 1);

/** A fixed point in time, `seconds` after 2025-01-01T00:00:00Z. */
export function at(seconds: number): string {
  return new Date(EPOCH + seconds * 1000).toISOString();
}

export function newUser(name: string, roles: readonly Role[] = ['editor']): Omit<User, 'roles'> & { roles: readonly Role[] } {
  return { id: randomUUID(), username: name, email: `${name}@example.test`, passwordHash: 'scrypt$x', roles, createdAt: at(0) };
}

export function newToken(userId: string, familyId: string = randomUUID()): RefreshToken {
  return { hash: randomUUID().replaceAll('-', ''), userId, familyId, createdAt: at(0), expiresAt: at(86_400) };
}

export function newApp(tenant: string, name: string, ownerId: string): AppRecord {
  return {
    tenant,
    name,
    ownerId,
    draft: {
      files: { 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n', 'lib/util.py': 'X = 1\n' },
      entrypoint: 'main.py',
      env: { GREETING: { value: 'hi', secret: false }, TOKEN: { sealed: 'age1sealed', secret: true } },
    },
    createdAt: at(0),
    updatedAt: at(0),
    lastActivityAt: at(0),
  };
}

export function newJob(overrides: Partial<Job> = {}): Job {
  return {
    id: randomUUID(),
    kind: 'deploy',
    payload: { deploymentId: 'd', nested: { list: [1, 'two', null] } },
    state: 'queued',
    attempts: 0,
    runAt: at(0),
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

export function newDeployment(requestedBy: string, overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: randomUUID(),
    tenant: 'alice',
    app: 'hello',
    kind: 'deploy',
    requestedBy,
    status: 'queued',
    message: 'first deploy',
    timeline: [{ stage: 'queued', at: at(0) }],
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

/** Runs `count` copies of `task` at once and waits for all of them. */
export function concurrently<T>(count: number, task: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => task(index)));
}
