/**
 * Document shapes in MongoDB and their mapping to the port's records. Every
 * document is keyed by the record's own id. Drafts, payloads, details and
 * settings are JSON text: their keys (file paths like `main.py`) may hold
 * dots or dollars, which MongoDB field names handle badly.
 */
import { z } from 'zod';
import type { AppRecord, AuditEvent, Deployment, Job, JobState, RefreshToken, Role, User } from '../../store/types.js';
import {
  auditOutcomeSchema,
  deploymentKindSchema,
  deploymentStatusSchema,
  draftSchema,
  fromJsonText,
  jobStateSchema,
  parseJson,
  rolesSchema,
  timelineSchema,
} from '../../store/record-schemas.js';

export interface UserDoc {
  _id: string;
  username: string;
  /** Lower-cased copies carry the case-insensitive unique indexes. */
  usernameLower: string;
  email: string;
  emailLower: string;
  passwordHash?: string;
  roles: Role[];
  externalId?: string;
  createdAt: string;
  removedAt?: string;
}

export interface RefreshTokenDoc {
  _id: string;
  userId: string;
  familyId: string;
  createdAt: string;
  expiresAt: string;
  rotatedAt?: string;
  revokedAt?: string;
}

export interface AppDoc {
  /** `tenant/name`: both are DNS labels, so the slash cannot be ambiguous. */
  _id: string;
  tenant: string;
  name: string;
  ownerId: string;
  draft: string;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  liveCommit?: string;
  liveAt?: string;
}

export interface JobDoc {
  _id: string;
  kind: string;
  payload: string;
  state: JobState;
  attempts: number;
  runAt: string;
  leaseOwner?: string;
  leaseUntil?: string;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeploymentDoc extends Omit<Deployment, 'id' | 'timeline'> {
  _id: string;
  timeline: Deployment['timeline'][number][];
  /** The job written with the deployment, until it is published to `jobs` (see mongo-deployments.ts). */
  outbox?: JobDoc;
}

export interface LeaseDoc {
  _id: string;
  owner: string;
  until: string;
}

export interface AuditDoc {
  _id: string;
  at: string;
  actor: string;
  action: string;
  target?: string;
  requestId?: string;
  outcome: AuditEvent['outcome'];
  details?: string;
}

export interface SettingDoc {
  _id: string;
  value: string;
  updatedAt: string;
}

export interface MetaDoc {
  _id: string;
  userId: string;
}

const optional = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

const userDoc = z.object({
  _id: z.string(),
  username: z.string(),
  email: z.string(),
  passwordHash: optional,
  roles: rolesSchema,
  externalId: optional,
  createdAt: z.string(),
  removedAt: optional,
});

export function toUser(doc: unknown): User {
  const d = userDoc.parse(doc);
  return {
    id: d._id,
    username: d.username,
    email: d.email,
    passwordHash: d.passwordHash,
    roles: d.roles,
    externalId: d.externalId,
    createdAt: d.createdAt,
    ...(d.removedAt ? { removedAt: d.removedAt } : {}),
  };
}

export function fromUser(user: User): UserDoc {
  const { id, ...rest } = user;
  return { ...rest, _id: id, roles: [...user.roles], usernameLower: user.username.toLowerCase(), emailLower: user.email.toLowerCase() };
}

const tokenDoc = z.object({
  _id: z.string(),
  userId: z.string(),
  familyId: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  rotatedAt: optional,
  revokedAt: optional,
});

export function toRefreshToken(doc: unknown): RefreshToken {
  const { _id, ...rest } = tokenDoc.parse(doc);
  return { hash: _id, ...rest };
}

export function fromRefreshToken(token: RefreshToken): RefreshTokenDoc {
  const { hash, ...rest } = token;
  return { _id: hash, ...rest };
}

const appDoc = z.object({
  tenant: z.string(),
  name: z.string(),
  ownerId: z.string(),
  draft: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastActivityAt: z.string(),
  liveCommit: optional,
  liveAt: optional,
});

export function toApp(doc: unknown): AppRecord {
  const d = appDoc.parse(doc);
  return { ...d, draft: parseJson(draftSchema, d.draft) };
}

export function fromApp(app: AppRecord): AppDoc {
  return { ...app, _id: appKey(app.tenant, app.name), draft: JSON.stringify(app.draft) };
}

export function appKey(tenant: string, name: string): string {
  return `${tenant}/${name}`;
}

const deploymentDoc = z.object({
  _id: z.string(),
  tenant: z.string(),
  app: z.string(),
  kind: deploymentKindSchema,
  requestedBy: z.string(),
  status: deploymentStatusSchema,
  message: optional,
  commit: optional,
  changeRequest: optional,
  error: optional,
  timeline: timelineSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  idempotencyKey: optional,
});

export function toDeployment(doc: unknown): Deployment {
  const { _id, ...rest } = deploymentDoc.parse(doc);
  return { id: _id, ...rest };
}

export function fromDeployment(deployment: Deployment): DeploymentDoc {
  const { id, ...rest } = deployment;
  return { ...rest, _id: id, timeline: [...deployment.timeline] };
}

const jobDoc = z.object({
  _id: z.string(),
  kind: z.string(),
  payload: z.string(),
  state: jobStateSchema,
  attempts: z.number().int(),
  runAt: z.string(),
  leaseOwner: optional,
  leaseUntil: optional,
  lastError: optional,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function toJob(doc: unknown): Job {
  const { _id, payload, ...rest } = jobDoc.parse(doc);
  return { id: _id, payload: fromJsonText(payload), ...rest };
}

const auditDoc = z.object({
  _id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: optional,
  requestId: optional,
  outcome: auditOutcomeSchema,
  details: optional,
});

export function toAuditEvent(doc: unknown): AuditEvent {
  const { _id, details, ...rest } = auditDoc.parse(doc);
  return { id: _id, ...rest, details: fromJsonText(details) };
}
