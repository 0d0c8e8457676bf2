import { z } from 'zod';
import { commitNoteProblem } from '../domain/commit-text.js';
import { CODE_EXTENSIONS, codePathProblem, MAX_PATH_LENGTH } from '../domain/code-paths.js';
import { MAX_NAME_LENGTH, nameProblem } from '../domain/names.js';
import { NAME_PATTERN } from '../domain/name-rule.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import { DEPLOYMENT_STATUSES, ROLES } from '../store/types.js';
import { starterGalleryFields } from './starter-schema.js';
import { runtimeViewSchema } from './runtime-schemas.js';

/*
 * The API's request and response shapes, once: validators parse with them
 * and the OpenAPI document is generated from them.
 */

/*
 * Refinements have no JSON Schema of their own: where a rule can be said as a
 * pattern, `.meta` puts it in the OpenAPI document beside the check, so the
 * document refuses what the server refuses (test/http/openapi-contract.test.ts
 * holds the two together).
 */

/** domain/names.ts's rule: a DNS-1123 label of at most 30 characters without `--`. */
export { NAME_PATTERN };

const dnsLabel = (kind: string) =>
  z
    .string()
    .max(64)
    .superRefine((value, ctx) => {
      const problem = nameProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `${kind} name ${problem}` });
    })
    .meta({
      pattern: NAME_PATTERN,
      minLength: 1,
      maxLength: MAX_NAME_LENGTH,
      description: `a DNS label: lower-case letters, digits and single hyphens, at most ${MAX_NAME_LENGTH}`,
    });

export const tenantName = dnsLabel('tenant');
export const appName = dnsLabel('app');
export const appParams = z.object({ tenant: tenantName, app: appName });
export const idParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/),
});
export const commitSha = z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit id');
/** A full commit id or a prefix of at least 7 hex characters, resolved among the app's releases (domain/commit-prefix.ts). */
export const commitPrefix = z.string().regex(/^[0-9a-f]{7,40}$/, 'must be a commit id or a prefix of at least 7 hex characters');

/** domain/code-paths.ts's rule: up to 8 levels of lower-case segments, a file name with a known extension. */
export const CODE_PATH_PATTERN = `^([a-z0-9_-]+/){0,7}[a-z0-9_-]+\\.(${CODE_EXTENSIONS.join('|')})$`;

const codePath = z
  .string()
  .superRefine((value, ctx) => {
    const problem = codePathProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `file path ${problem}` });
  })
  .meta({
    pattern: CODE_PATH_PATTERN,
    maxLength: MAX_PATH_LENGTH,
    description: 'a relative file path: lower-case folders, a name ending in a known extension',
  });

/** Caps here are transport sanity; the per-file and total limits are reported as code problems. */
export const filesSchema = z.record(codePath, z.string().max(200_000)).refine((files) => Object.keys(files).length <= 200, 'too many files');

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'env names are upper-case letters, digits and "_", not starting with a digit')
  .max(128);
/** A plain value, or `{secret: true, value?}`: a secret without a value keeps the stored one. */
export const envValueSchema = z.union([z.string().max(4096), z.object({ value: z.string().max(4096).optional(), secret: z.boolean().default(false) })]);
export const envSchema = z.record(envName, envValueSchema).refine((env) => Object.keys(env).length <= 64, 'at most 64 env vars per app');

export const credentialsSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const signupSchema = credentialsSchema.extend({
  // The account name is the tenant's name: the same rule as app names.
  username: credentialsSchema.shape.username.meta({ pattern: NAME_PATTERN, maxLength: MAX_NAME_LENGTH, description: 'becomes your tenant name: a DNS label' }),
  password: credentialsSchema.shape.password.meta({
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: MAX_PASSWORD_LENGTH,
    description: 'not a common password, not containing the username',
  }),
  email: z.email().max(254),
  invite: z.string().min(1).max(200).optional().meta({ description: 'an invite token, when signups are by invitation' }),
});

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
export const deploySchema = z.object({
  message: z
    .string()
    .max(200)
    .superRefine((note, ctx) => {
      const problem = commitNoteProblem(note);
      if (problem) ctx.addIssue({ code: 'custom', message: `message ${problem}` });
    })
    .optional(),
});
export const rollbackSchema = z.object({ to: commitPrefix });

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
  apps: z.array(
    appView.omit({ draft: true }).extend({ runtime: runtimeViewSchema.pick({ ready: true, phase: true, message: true, replicas: true }).optional() }),
  ),
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
  releases: z.array(
    z.object({ commit: z.string(), action: z.string().optional(), actor: z.string().optional(), author: z.string(), at: z.string(), message: z.string() }),
  ),
});
export const statusResponse = z.object({
  git: z.object({ commit: z.string().nullable() }),
  runtime: runtimeViewSchema,
  cluster: z.object({
    configured: z.boolean(),
    ready: z.boolean().optional(),
    revision: z.string().optional(),
    replicas: z.number().optional(),
    message: z.string().optional(),
    /** When Flux last reported on the app. */
    at: z.string().optional(),
  }),
  database: z.object({ attached: z.boolean(), name: z.string().optional(), message: z.string().optional() }),
});

export const templatesResponse = z.object({
  templates: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      files: z.record(z.string(), z.string()),
      entrypoint: z.string(),
      ...starterGalleryFields,
    }),
  ),
});

export const commitsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
export const revertSchema = z.object({ commit: commitSha });
export const runnerImageSchema = z.object({
  image: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[a-z0-9][a-z0-9._/-]*(:[0-9]+)?(\/[a-z0-9._-]+)*$/, 'must be an image repository without tag'),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex>'),
  apps: z.array(z.string().max(61)).max(1000).optional(),
});
export const cleanupSchema = z.object({
  dryRun: z.boolean().default(true),
  inactiveHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .optional(),
});
export const rolesSchema = z.object({ roles: z.array(z.enum(ROLES)).max(4) });
export const usernameParams = z.object({ username: z.string().min(1).max(64) });
export const tenantParams = z.object({ tenant: tenantName });
export const policySchema = z.object({ mode: z.enum(['auto', 'review']) });

/* Responses of the routes that had none documented. */
export const okResponse = z.object({ ok: z.literal(true) });
export const jwksResponse = z.object({
  keys: z.array(z.object({ kty: z.string(), kid: z.string(), alg: z.string().optional(), use: z.string().optional() }).catchall(z.unknown())),
});
export const openapiResponse = z
  .object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) })
  .catchall(z.unknown());
export const metricsResponse = z.string().meta({ description: 'Prometheus text exposition format' });
export const eventStreamResponse = z
  .string()
  .meta({ description: 'text/event-stream: `stage` events with {stage, at, detail?}, then one `end` event with {deployment}' });
export const accessTokenResponse = z.object({ accessToken: z.string() });
export const githubWebhookResponse = z.object({ received: z.literal(true), event: z.string() });
export const fluxWebhookResponse = z.object({ received: z.literal(true), deploymentsMoved: z.number().int() });
export const commitsResponse = z.object({
  commits: z.array(z.object({ sha: z.string(), subject: z.string(), author: z.string(), at: z.string(), trailers: z.record(z.string(), z.array(z.string())) })),
});
export const operationResponse = z.object({ status: z.enum(['committed', 'duplicate', 'unchanged', 'planned']), commit: z.string().nullable() });
export const cleanupResponse = z.object({
  apps: z.array(z.object({ app: z.string(), action: z.enum(['sleep', 'delete']) })),
  dryRun: z.boolean(),
  commit: z.string().optional(),
});
export const policyResponse = z.object({ policy: z.object({ tenant: z.string(), mode: z.enum(['auto', 'review']) }) });
export const modulesResponse = z.object({ modules: z.array(z.string()) });
