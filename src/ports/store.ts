import type { AppRecord, AuditEvent, Deployment, Draft, Job, RefreshToken, Role, TimelineEntry, User, DeploymentStatus } from '../store/types.js';

/**
 * The Store port. Two adapters implement it (src/adapters/store-sqlite,
 * src/adapters/store-mongo) and one contract suite (test/contracts) runs
 * against both. Methods that the callers rely on being atomic say so.
 * Times are ISO 8601 strings in UTC; `now` is always passed in so that tests
 * and leases do not depend on each adapter's clock.
 *
 * Errors: a unique-constraint violation is a ConflictError (src/errors.ts);
 * a missing row is `undefined`, not an error.
 */
export interface UserStore {
  /**
   * Atomically: the very first user gets `admin` (plus `editor`); later ones get `roles`.
   * Username, email and externalId are each unique, username and email ignoring case (ConflictError).
   */
  create(user: Omit<User, 'roles'> & { readonly roles: readonly Role[] }): Promise<User>;
  byId(id: string): Promise<User | undefined>;
  byUsername(username: string): Promise<User | undefined>;
  byExternalId(externalId: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  setRoles(id: string, roles: readonly Role[]): Promise<User | undefined>;
  /** Marks the account removed (idempotent; the first time is kept). The row stays, so its username and email stay taken. */
  remove(id: string, now: string): Promise<User | undefined>;
  /** Every account ever created, removed ones included. */
  count(): Promise<number>;
}

export interface RefreshTokenStore {
  /** The user must exist (adapters may refuse an unknown user id). */
  insert(token: RefreshToken): Promise<void>;
  byHash(hash: string): Promise<RefreshToken | undefined>;
  /**
   * Atomically marks `hash` rotated and inserts `next`, only if `hash` was
   * neither rotated nor revoked. False means the token was already used:
   * the caller then revokes the family (reuse detection).
   */
  rotate(hash: string, next: RefreshToken, now: string): Promise<boolean>;
  revoke(hash: string, now: string): Promise<void>;
  revokeFamily(familyId: string, now: string): Promise<void>;
  revokeAllForUser(userId: string, now: string): Promise<void>;
}

export interface AppStore {
  /** ConflictError when tenant/name exists. */
  create(app: AppRecord): Promise<AppRecord>;
  get(tenant: string, name: string): Promise<AppRecord | undefined>;
  /** All apps, or one tenant's, sorted by tenant then name. */
  list(filter?: { readonly tenant?: string }): Promise<AppRecord[]>;
  updateDraft(tenant: string, name: string, draft: Draft, now: string): Promise<AppRecord | undefined>;
  touch(tenant: string, name: string, now: string): Promise<void>;
  setLive(tenant: string, name: string, commit: string, at: string): Promise<void>;
  remove(tenant: string, name: string): Promise<void>;
}

export interface DeploymentStore {
  /**
   * Atomically writes the deployment and its job: either both exist
   * afterwards or neither does. With an idempotency key already used by the
   * same user, nothing is written and the earlier deployment is returned.
   */
  enqueue(deployment: Deployment, job: Job): Promise<{ readonly deployment: Deployment; readonly created: boolean }>;
  get(id: string): Promise<Deployment | undefined>;
  /** Newest first. */
  listByApp(tenant: string, app: string, limit?: number): Promise<Deployment[]>;
  /** Appends to the timeline and sets status (and commit/error/changeRequest when given) in one atomic update. */
  advance(
    id: string,
    entry: TimelineEntry,
    update: { readonly status: DeploymentStatus; readonly commit?: string; readonly error?: string; readonly changeRequest?: string },
  ): Promise<Deployment | undefined>;
  /** Deployments not in a final status, oldest first (for reconciling status after a restart). */
  listOpen(limit?: number): Promise<Deployment[]>;
}

export interface JobStore {
  enqueue(job: Job): Promise<void>;
  /**
   * Atomically claims the oldest runnable job: queued with runAt <= now, or
   * running with an expired lease (its worker died). Sets state running,
   * leaseOwner, leaseUntil and increments attempts.
   */
  claim(owner: string, now: string, leaseUntil: string, kinds?: readonly string[]): Promise<Job | undefined>;
  /** Extends the lease; false when the job is no longer leased to `owner` (then stop working on it). */
  heartbeat(id: string, owner: string, leaseUntil: string): Promise<boolean>;
  complete(id: string, owner: string, now: string): Promise<boolean>;
  /** Back to queued at `retryAt` (transient failure), or `failed` when retryAt is undefined. */
  fail(id: string, owner: string, error: string, now: string, retryAt?: string): Promise<boolean>;
  /** Releases this owner's leases (graceful shutdown): the jobs become claimable at once. */
  releaseAll(owner: string, now: string): Promise<number>;
  get(id: string): Promise<Job | undefined>;
  /** Queue depth and the age of the oldest queued job, for /metrics. */
  stats(now: string): Promise<{ readonly queued: number; readonly running: number; readonly oldestQueuedSeconds: number }>;
}

export interface LeaseStore {
  /** Takes or renews a named lease; true when `owner` holds it until `until`. */
  acquire(name: string, owner: string, now: string, until: string): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  /** Newest first. */
  list(filter?: { readonly actor?: string; readonly target?: string; readonly limit?: number }): Promise<AuditEvent[]>;
}

export interface SettingsStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown, now: string): Promise<void>;
}

export interface Store {
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly apps: AppStore;
  readonly deployments: DeploymentStore;
  readonly jobs: JobStore;
  readonly leases: LeaseStore;
  readonly audit: AuditStore;
  readonly settings: SettingsStore;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
