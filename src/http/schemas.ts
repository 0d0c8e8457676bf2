import { z } from 'zod';
import { codePathProblem } from '../domain/code-paths.js';
import { nameProblem } from '../domain/names.js';
import { DEPLOYMENT_STATUSES, ROLES } from '../store/types.js';
import { starterGalleryFields } from './starter-schema.js';
import { runtimeViewSchema } from './runtime-schemas.js';

/*
 * The API's request and response shapes, once: validators parse with them
 * and the OpenAPI document is generated from them.
 */

const dnsLabel = (kind: string) =>
  z
    .string()
    .max(64)
    .superRefine((value, ctx) => {
      const problem = nameProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `${kind} name ${problem}` });
    });

export const tenantName = dnsLabel('tenant');
export const appName = dnsLabel('app');
export const appParams = z.object({ tenant: tenantName, app: appName });
export const idParams = z.object({ id: z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/) });
export const commitSha = z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit id');

const codePath = z.string().superRefine((value, ctx) => {
  const problem = codePathProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `file path ${problem}` });
});

/** Caps here are transport sanity; the per-file and total limits are reported as code problems. */
export const filesSchema = z.record(codePath, z.string().max(200_000)).refine((files) => Object.keys(files).length <= 200, 'too many files');

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'env names are upper-case letters, digits and "_", not starting with a digit').max(128);
/** A plain value, or `{secret: true, value?}`: a secret without a value keeps the stored one. */
export const envValueSchema = z.union([
  z.string().max(4096),
  z.object({ value: z.string().max(4096).optional(), secret: z.boolean().default(false) }),
]);
export const envSchema = z.record(envName, envValueSchema).refine((env) => Object.keys(env).length <= 64, 'at most 64 env vars per app');

export const credentialsSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const signupSchema = credentialsSchema.extend({ email: z.email().max(254) });

export const userSchema = z.object({ id: z.string(), username: z.string(), email: z.string(), roles: z.array(z.enum(ROLES)) });
export const sessionResponse = z.object({ user: userSchema, accessToken: z.string() });

export const createAppSchema = z.object({
  name: appName,
  template: z.string().max(64).optional(),
  files: filesSchema.optional(),
  entrypoint: codePath.optional(),
  env: envSchema.optional(),
});
export const draftSchema = z.object({ files: filesSchema, entrypoint: codePath, env: envSchema.default({}) });
export const validateSchema = z.object({ files: filesSchema.optional(), entrypoint: codePath.optional() });
export const deploySchema = z.object({ message: z.string().max(200).optional() });
export const rollbackSchema = z.object({ to: commitSha });

const envView = z.record(z.string(), z.union([z.object({ value: z.string(), secret: z.literal(false) }), z.object({ secret: z.literal(true) })]));
export const appView = z.object({
  tenant: z.string(),
  name: z.string(),
  url: z.string(),
  owner: z.string(),
  draft: z.object({ files: z.record(z.string(), z.string()), entrypoint: z.string(), env: envView }),
  live: z.object({ commit: z.string(), at: z.string() }).optional(),
  policy: z.object({ mode: z.enum(['auto', 'review']) }),
  lastActivityAt: z.string(),
});
export const appResponse = z.object({ app: appView });
export const appListResponse = z.object({
  apps: z.array(appView.omit({ draft: true }).extend({ runtime: runtimeViewSchema.pick({ ready: true, phase: true, message: true, replicas: true }).optional() })),
});

export const problemSchema = z.object({
  file: z.string(),
  line: z.number(),
  column: z.number(),
  message: z.string(),
  rule: z.enum(['syntax', 'import', 'forbidden', 'entrypoint', 'size', 'path']),
});
export const validateResponse = z.object({ ok: z.boolean(), problems: z.array(problemSchema) });

export const deploymentView = z.object({
  id: z.string(),
  app: z.string(),
  kind: z.string(),
  status: z.enum(DEPLOYMENT_STATUSES),
  commit: z.string().optional(),
  changeRequest: z.string().optional(),
  message: z.string().optional(),
  error: z.string().optional(),
  requestedBy: z.string(),
  createdAt: z.string(),
  timeline: z.array(z.object({ stage: z.string(), at: z.string(), detail: z.string().optional() })),
});
export const deploymentResponse = z.object({ deployment: deploymentView });
export const deploymentListResponse = z.object({ deployments: z.array(deploymentView) });

export const releasesResponse = z.object({
  releases: z.array(z.object({ commit: z.string(), action: z.string().optional(), actor: z.string().optional(), author: z.string(), at: z.string(), message: z.string() })),
});
export const statusResponse = z.object({
  git: z.object({ commit: z.string().nullable() }),
  runtime: runtimeViewSchema,
  cluster: z.object({ configured: z.boolean(), ready: z.boolean().optional(), revision: z.string().optional(), replicas: z.number().optional(), message: z.string().optional() }),
  database: z.object({ attached: z.boolean(), message: z.string().optional() }),
});

export const templatesResponse = z.object({
  templates: z.array(z.object({ id: z.string(), name: z.string(), description: z.string(), files: z.record(z.string(), z.string()), entrypoint: z.string(), ...starterGalleryFields })),
});

export const commitsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
export const revertSchema = z.object({ commit: commitSha });
export const runnerImageSchema = z.object({
  image: z.string().min(1).max(255).regex(/^[a-z0-9][a-z0-9._/-]*(:[0-9]+)?(\/[a-z0-9._-]+)*$/, 'must be an image repository without tag'),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex>'),
  apps: z.array(z.string().max(61)).max(1000).optional(),
});
export const cleanupSchema = z.object({ dryRun: z.boolean().default(true), inactiveHours: z.number().int().min(1).max(24 * 365).optional() });
export const rolesSchema = z.object({ roles: z.array(z.enum(ROLES)).max(4) });
export const usernameParams = z.object({ username: z.string().min(1).max(64) });
export const tenantParams = z.object({ tenant: tenantName });
export const policySchema = z.object({ mode: z.enum(['auto', 'review']) });
export const changeRequestQuery = z.object({ state: z.enum(['open', 'merged', 'rejected', 'all']).default('open') });
