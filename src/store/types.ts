/**
 * What Berth keeps outside Git: people, sessions, drafts, deploy requests and
 * their timelines, jobs, leases, the API audit trail and settings. Desired
 * state (code, manifests, pins) lives in the apps repository, never here.
 */

export const ROLES = ['editor', 'reviewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  readonly id: string;
  /** Also the user's tenant: a DNS label. */
  readonly username: string;
  readonly email: string;
  /** scrypt hash (see src/auth/passwords); absent for users from an external OIDC issuer. */
  readonly passwordHash?: string;
  readonly roles: readonly Role[];
  /** `issuer|subject` for OIDC users. */
  readonly externalId?: string;
  readonly createdAt: string;
  /** Set when an admin removed the account: its tokens are refused, and the username stays taken (never reused for another person's tenant). */
  readonly removedAt?: string;
}

/** Refresh tokens are stored hashed; rotation chains them into a family. */
export interface RefreshToken {
  /** SHA-256 of the token, hex: the token itself is never stored. */
  readonly hash: string;
  readonly userId: string;
  /** Every rotation keeps the family; reuse of a rotated token revokes the whole family. */
  readonly familyId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly rotatedAt?: string;
  readonly revokedAt?: string;
}

/** An env var of a draft. Secret values are stored encrypted (see src/secrets), never plaintext. */
export interface DraftEnvVar {
  readonly value?: string;
  /** For secrets: the value sealed for storage; `value` is then absent. */
  readonly sealed?: string;
  readonly secret: boolean;
}

export interface Draft {
  readonly files: Readonly<Record<string, string>>;
  readonly entrypoint: string;
  readonly env: Readonly<Record<string, DraftEnvVar>>;
}

export interface AppRecord {
  readonly tenant: string;
  readonly name: string;
  /** User id of the creator. */
  readonly ownerId: string;
  readonly draft: Draft;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Last deploy, edit or activity ping: what cleanup of inactive apps reads. */
  readonly lastActivityAt: string;
  /** Last commit that deployed it on main, as far as Berth knows (Git is the truth). */
  readonly liveCommit?: string;
  readonly liveAt?: string;
}

export const DEPLOYMENT_STATUSES = ['queued', 'committed', 'awaiting_review', 'approved', 'rejected', 'reconciled', 'ready', 'failed', 'superseded'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
/** Statuses after which a deployment's timeline no longer grows. */
export const FINAL_STATUSES: readonly DeploymentStatus[] = ['ready', 'failed', 'rejected', 'superseded'];

export interface TimelineEntry {
  readonly stage: string;
  readonly at: string;
  readonly detail?: string;
}

export type DeploymentKind = 'deploy' | 'rollback' | 'delete';

export interface Deployment {
  readonly id: string;
  readonly tenant: string;
  readonly app: string;
  readonly kind: DeploymentKind;
  readonly requestedBy: string;
  readonly status: DeploymentStatus;
  readonly message?: string;
  readonly commit?: string;
  readonly changeRequest?: string;
  readonly error?: string;
  readonly timeline: readonly TimelineEntry[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** `Idempotency-Key` header, scoped to the requesting user. */
  readonly idempotencyKey?: string;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** A durable unit of work. The payload is what the worker needs, JSON. */
export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly state: JobState;
  readonly attempts: number;
  /** Not before this time (backoff). */
  readonly runAt: string;
  readonly leaseOwner?: string;
  readonly leaseUntil?: string;
  readonly lastError?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  /** User id, or `system` for periodic tasks. */
  readonly actor: string;
  readonly action: string;
  readonly target?: string;
  readonly requestId?: string;
  readonly outcome: 'ok' | 'denied' | 'failed';
  readonly details?: unknown;
}
