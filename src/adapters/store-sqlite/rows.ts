/**
 * Row shapes of the SQLite tables and their mapping to the port's records.
 * Rows are parsed with zod: better-sqlite3 hands out `unknown`.
 */
import { z } from 'zod';
import type { AppRecord, AuditEvent, Deployment, Job, RefreshToken, User } from '../../store/types.js';
import {
  auditOutcomeSchema,
  deploymentKindSchema,
  deploymentStatusSchema,
  draftSchema,
  fromJsonText,
  jobStateSchema,
  optionalText,
  parseJson,
  rolesSchema,
  timelineSchema,
} from '../../store/record-schemas.js';

const userRow = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  password_hash: optionalText,
  roles: z.string(),
  external_id: optionalText,
  created_at: z.string(),
  removed_at: optionalText,
});

/** A `users` row as a User. */
export function toUser(row: unknown): User {
  const r = userRow.parse(row);
  return {
    id: r.id,
    username: r.username,
    email: r.email,
    passwordHash: r.password_hash,
    roles: parseJson(rolesSchema, r.roles),
    externalId: r.external_id,
    createdAt: r.created_at,
    ...(r.removed_at ? { removedAt: r.removed_at } : {}),
  };
}

const refreshTokenRow = z.object({
  hash: z.string(),
  user_id: z.string(),
  family_id: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  rotated_at: optionalText,
  revoked_at: optionalText,
});

/** A `refresh_tokens` row as a RefreshToken. */
export function toRefreshToken(row: unknown): RefreshToken {
  const r = refreshTokenRow.parse(row);
  return {
    hash: r.hash,
    userId: r.user_id,
    familyId: r.family_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    rotatedAt: r.rotated_at,
    revokedAt: r.revoked_at,
  };
}

const appRow = z.object({
  tenant: z.string(),
  name: z.string(),
  owner_id: z.string(),
  draft: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  last_activity_at: z.string(),
  live_commit: optionalText,
  live_at: optionalText,
});

/** An `apps` row as an AppRecord. */
export function toApp(row: unknown): AppRecord {
  const r = appRow.parse(row);
  return {
    tenant: r.tenant,
    name: r.name,
    ownerId: r.owner_id,
    draft: parseJson(draftSchema, r.draft),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastActivityAt: r.last_activity_at,
    liveCommit: r.live_commit,
    liveAt: r.live_at,
  };
}

const deploymentRow = z.object({
  id: z.string(),
  tenant: z.string(),
  app: z.string(),
  kind: deploymentKindSchema,
  requested_by: z.string(),
  status: deploymentStatusSchema,
  message: optionalText,
  commit_sha: optionalText,
  change_request: optionalText,
  error: optionalText,
  timeline: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  idempotency_key: optionalText,
});

/** A `deployments` row as a Deployment. */
export function toDeployment(row: unknown): Deployment {
  const r = deploymentRow.parse(row);
  return {
    id: r.id,
    tenant: r.tenant,
    app: r.app,
    kind: r.kind,
    requestedBy: r.requested_by,
    status: r.status,
    message: r.message,
    commit: r.commit_sha,
    changeRequest: r.change_request,
    error: r.error,
    timeline: parseJson(timelineSchema, r.timeline),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    idempotencyKey: r.idempotency_key,
  };
}

const jobRow = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.string(),
  state: jobStateSchema,
  attempts: z.number().int(),
  run_at: z.string(),
  lease_owner: optionalText,
  lease_until: optionalText,
  last_error: optionalText,
  created_at: z.string(),
  updated_at: z.string(),
});

/** A `jobs` row as a Job. */
export function toJob(row: unknown): Job {
  const r = jobRow.parse(row);
  return {
    id: r.id,
    kind: r.kind,
    payload: fromJsonText(r.payload),
    state: r.state,
    attempts: r.attempts,
    runAt: r.run_at,
    leaseOwner: r.lease_owner,
    leaseUntil: r.lease_until,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const auditRow = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: optionalText,
  request_id: optionalText,
  outcome: auditOutcomeSchema,
  details: z.string().nullable(),
});

/** An `audit_events` row as an AuditEvent. */
export function toAuditEvent(row: unknown): AuditEvent {
  const r = auditRow.parse(row);
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    requestId: r.request_id,
    outcome: r.outcome,
    details: fromJsonText(r.details),
  };
}
