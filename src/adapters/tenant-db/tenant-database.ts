import { createHmac } from 'node:crypto';

import { MongoNetworkError, MongoServerError, MongoServerSelectionError, type Document, type MongoClient } from 'mongodb';

import { fullJitterMs, sleep } from '../../backoff.js';
import { tenantDatabaseName, tenantDatabaseUser } from '../../domain/names.js';
import { InputError, UnavailableError } from '../../errors.js';

/*
 * One MongoDB database per tenant (`user_<tenant>`) with one user that may
 * only readWrite it. The URI goes into the app's SOPS-encrypted Secret and
 * nowhere else.
 *
 * The password is derived, not stored: HMAC-SHA256(passwordKey, tenant).
 * MongoDB keeps only a SCRAM hash, so a random password could never be read
 * back; re-randomising it on every deploy would break the tenant's other apps,
 * whose Secrets hold the previous one. Deriving it makes ensure() idempotent
 * across deploys, replicas and restarts without a table of credentials, and
 * rotating passwordKey rotates every tenant's password on the next deploy.
 */

/** MongoDB's "User already exists" error code. */
const USER_ALREADY_EXISTS = 51003;
const MIN_PASSWORD_KEY_BYTES = 32;

/** What {@link createTenantDatabaseProvisioner} needs. */
export interface TenantDatabaseOptions {
  /** A client authenticated as a user that may create users (userAdminAnyDatabase or equivalent). */
  readonly client: Pick<MongoClient, 'db'>;
  /** Host list as apps in the cluster reach MongoDB: `mongo.db.svc:27017` or `h1:27017,h2:27017`. */
  readonly publicHost: string;
  /** Secret (≥32 bytes) the per-tenant passwords are derived from; keep it like the secret-box key. */
  readonly passwordKey: Buffer;
  /** Extra URI options for apps, e.g. `{ tls: 'true', replicaSet: 'rs0' }`. */
  readonly uriOptions?: Readonly<Record<string, string>>;
  /** Per-command time limit (default 10 s). */
  readonly timeoutMs?: number;
  /** Attempts on network errors, with jittered exponential backoff (default 3). */
  readonly attempts?: number;
}

/** Gives each tenant its database user; see {@link createTenantDatabaseProvisioner}. */
export interface TenantDatabaseProvisioner {
  /** Creates or updates the tenant's user; returns the URI for the app's encrypted Secret. */
  ensure(tenant: string): Promise<{ uri: string }>;
}

export { tenantDatabaseName, tenantDatabaseUser };

/**
 * Provisions tenant databases over the official driver with `createUser`, or
 * `updateUser` when the user exists (which also resets its roles to exactly
 * readWrite on its own database). Throws UnavailableError when MongoDB does
 * not answer or refuses, never echoing credentials.
 */
export function createTenantDatabaseProvisioner(options: TenantDatabaseOptions): TenantDatabaseProvisioner {
  if (options.passwordKey.length < MIN_PASSWORD_KEY_BYTES) {
    throw new InputError(`the tenant database password key must be at least ${MIN_PASSWORD_KEY_BYTES} bytes`);
  }
  if (!/^[A-Za-z0-9._-]+(:\d{1,5})?(,[A-Za-z0-9._-]+(:\d{1,5})?)*$/.test(options.publicHost)) {
    throw new InputError(`MongoDB public host ${JSON.stringify(options.publicHost)} must be host[:port][,host[:port]...]`);
  }
  const key = Buffer.from(options.passwordKey);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const attempts = options.attempts ?? 3;

  async function command(database: string, body: Document): Promise<Document> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await options.client.db(database).command(body, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if (!isTransient(error) || attempt >= attempts) throw error;
        await sleep(fullJitterMs(attempt, 100, 2_000));
      }
    }
  }

  async function ensure(tenant: string): Promise<{ uri: string }> {
    const database = tenantDatabaseName(tenant);
    const user = tenantDatabaseUser(tenant);
    const password = createHmac('sha256', key).update(`berth tenant database\0${tenant}`).digest('base64url');
    const roles = [{ role: 'readWrite', db: database }];
    try {
      try {
        await command(database, { createUser: user, pwd: password, roles });
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === USER_ALREADY_EXISTS)) throw error;
        await command(database, { updateUser: user, pwd: password, roles });
      }
    } catch (error) {
      throw new UnavailableError(`could not provision the MongoDB database of tenant ${tenant}: ${describe(error)}`, {
        tenant,
      });
    }
    return { uri: formatUri(user, password, database, options) };
  }

  return { ensure };
}

function formatUri(user: string, password: string, database: string, options: TenantDatabaseOptions): string {
  const query = new URLSearchParams({ ...options.uriOptions, authSource: database });
  return `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${options.publicHost}/${database}?${query}`;
}

function isTransient(error: unknown): boolean {
  return (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
  );
}

/** A cause a person can act on; server messages never contain the password we sent. */
function describe(error: unknown): string {
  if (error instanceof MongoServerError) {
    if (error.code === 13) return 'the configured MongoDB user may not create users (it needs userAdminAnyDatabase)';
    return `${error.codeName ?? 'server error'} (${error.code ?? '?'})`;
  }
  if (isTransient(error)) return 'MongoDB did not answer in time';
  return error instanceof Error ? error.name : 'unknown error';
}
