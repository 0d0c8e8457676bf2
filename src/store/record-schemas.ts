/**
 * Schemas and helpers both store adapters use to read records back: whatever
 * a database hands out is parsed, never cast, so a corrupted row or a
 * document written by another version fails loudly instead of leaking.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { DEPLOYMENT_STATUSES, ROLES } from './types.js';
import type { Draft, Role, TimelineEntry } from './types.js';

export const roleSchema = z.enum(ROLES);
export const rolesSchema = z.array(roleSchema);
export const deploymentStatusSchema = z.enum(DEPLOYMENT_STATUSES);
export const deploymentKindSchema = z.enum(['deploy', 'rollback', 'delete']);
export const jobStateSchema = z.enum(['queued', 'running', 'done', 'failed']);
export const auditOutcomeSchema = z.enum(['ok', 'denied', 'failed']);

export const draftSchema: z.ZodType<Draft> = z.object({
  files: z.record(z.string(), z.string()),
  entrypoint: z.string(),
  env: z.record(z.string(), z.object({ value: z.string().optional(), sealed: z.string().optional(), secret: z.boolean() })),
});

export const timelineEntrySchema: z.ZodType<TimelineEntry> = z.object({
  stage: z.string(),
  at: z.string(),
  detail: z.string().optional(),
});
export const timelineSchema = z.array(timelineEntrySchema);

/** A column or field that may be NULL or missing reads back as absent. */
export const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

/** Parses a JSON text column against `schema`. */
export function parseJson<T>(schema: z.ZodType<T>, text: string): T {
  return schema.parse(JSON.parse(text));
}

/** JSON of an arbitrary payload; `undefined` is kept as JSON null so it round-trips as absent. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

/** Text back to a value; JSON null reads as `undefined` (the port's "absent"). */
export function fromJsonText(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  const value: unknown = JSON.parse(text);
  return value === null ? undefined : value;
}

/**
 * Times are compared as text inside both databases, which is only sound when
 * every stored time has the same shape: `toISOString()` of the instant.
 */
export function toInstant(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new InputError(`not an ISO 8601 time: ${time}`);
  return new Date(ms).toISOString();
}

/** Roles deduplicated in the canonical order of ROLES. */
export function normaliseRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((role) => roles.includes(role));
}

/** The first user gets admin and editor on top of what was asked for. */
export function firstUserRoles(roles: readonly Role[]): Role[] {
  return normaliseRoles([...roles, 'admin', 'editor']);
}
