import { z } from 'zod';
import { InputError } from '../errors.js';

/** Job kinds the deploy handler does; each is also a DeploymentKind. */
export const DEPLOY_JOB_KINDS = ['deploy', 'rollback', 'delete'] as const;

const actorSchema = z.object({
  id: z.string().min(1).max(200),
  username: z.string().min(1).max(200),
  email: z.string().max(320),
});

const common = {
  /** Also the Git request id: a re-run of the job finds the commit it already made. */
  deploymentId: z.string().min(1).max(200),
  tenant: z.string().min(1).max(30),
  app: z.string().min(1).max(30),
  actor: actorSchema,
  message: z.string().max(500).optional(),
  /** The commit the user's change was based on; the app changed since then is a conflict. */
  base: z.string().min(1).max(64).optional(),
  /** Review mode: commit to the change request's own branch and open a request, not to main. */
  review: z.boolean().optional(),
};

const deployPayload = z.object({
  ...common,
  kind: z.literal('deploy'),
  /** Shown in the app spec; defaults to the actor's username. Kept from the repo when the app exists. */
  owner: z.string().min(1).max(200).optional(),
  files: z.record(z.string(), z.string()),
  entrypoint: z.string().min(1),
  /** Plain values only. */
  env: z.record(z.string(), z.string()).default({}),
  /** Names of secret variables; their values are only inside `secretSopsYaml`. */
  secretEnv: z.array(z.string()).optional(),
  /**
   * Already SOPS-encrypted by the enqueuer (src/secrets), so the queue never
   * holds a plaintext secret and every attempt commits the same document.
   * Absent keeps the app's current encrypted secret.
   */
  secretSopsYaml: z.string().optional(),
});

const rollbackPayload = z.object({
  ...common,
  kind: z.literal('rollback'),
  /** The commit whose version of the app is restored. */
  to: z.string().regex(/^[0-9a-f]{40}$/, 'a full 40-character commit id'),
});

const deletePayload = z.object({ ...common, kind: z.literal('delete') });

/** The payload of a `deploy`, `rollback` or `delete` job. */
export const deployJobPayloadSchema = z.discriminatedUnion('kind', [deployPayload, rollbackPayload, deletePayload]);

export type DeployJobPayload = z.infer<typeof deployJobPayloadSchema>;
/** What the enqueuer writes (defaults not yet applied). */
export type DeployJobRequest = z.input<typeof deployJobPayloadSchema>;

/** Parses a stored payload; a payload that does not parse can never succeed, so it fails permanently. */
export function parseDeployJobPayload(payload: unknown): DeployJobPayload {
  const parsed = deployJobPayloadSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`);
  throw new InputError(`the deploy request is malformed (${problems.join('; ')}); submit it again`, { problems });
}
