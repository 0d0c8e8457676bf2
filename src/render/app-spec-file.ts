import { z } from 'zod';
import { DIGEST, ENV_NAME, type AppSpec } from '../domain/app-spec.js';
import { BerthError, ManifestError } from '../errors.js';
import { normalizeAppSpec } from './app-input.js';
import { checkRendered } from './manifest-check.js';

/** Schema of berth.yaml (templates/app/berth.yaml.hbs). Strict: a field this Berth does not know is an error. */
export const berthYamlSchema = z.strictObject({
  apiVersion: z.literal('berth.dev/v1'),
  kind: z.literal('App'),
  metadata: z.strictObject({ tenant: z.string(), name: z.string() }),
  spec: z.strictObject({
    templateVersion: z.number().int().min(0),
    owner: z.string().min(1),
    entrypoint: z.string().min(1),
    env: z.record(z.string().regex(ENV_NAME), z.string()),
    secretEnv: z.array(z.string().regex(ENV_NAME)),
    runner: z.strictObject({ image: z.string().min(1), digest: z.string().regex(DIGEST) }).optional(),
    replicas: z.union([z.literal(0), z.literal(1)]),
    asleepSince: z.string().optional(),
  }),
});

/** Code files as a tree read returns them (Map) or as a plain object. */
export type CodeFiles = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function toRecord(files: CodeFiles): Record<string, string> {
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  const out: Record<string, string> = {};
  for (const [path, content] of entries) out[path] = content;
  return out;
}

/**
 * The app spec that `berth.yaml` and the files of `code/` (paths relative to
 * code/) describe: the inverse of {@link renderApp}, so that
 * `parseAppSpec(rendered berth.yaml, spec.files)` equals the spec in its
 * normal form (see normalizeAppSpec), templateVersion being the version the
 * file was rendered with. Throws ManifestError for anything malformed: the
 * file is not one plain YAML document, does not match the schema, or names
 * an invalid tenant, app, path or variable.
 */
export function parseAppSpec(berthYaml: string, files: CodeFiles): AppSpec {
  const parsed = checkRendered('berth.yaml', berthYaml, berthYamlSchema);
  const { spec } = parsed;
  const candidate: AppSpec = {
    tenant: parsed.metadata.tenant,
    app: parsed.metadata.name,
    owner: spec.owner,
    entrypoint: spec.entrypoint,
    files: toRecord(files),
    env: spec.env,
    secretEnv: spec.secretEnv,
    replicas: spec.replicas,
    templateVersion: spec.templateVersion,
    ...(spec.runner ? { runner: spec.runner } : {}),
    ...(spec.asleepSince !== undefined ? { asleepSince: spec.asleepSince } : {}),
  };
  try {
    return normalizeAppSpec(candidate);
  } catch (error) {
    if (error instanceof BerthError && !(error instanceof ManifestError)) {
      throw new ManifestError(`berth.yaml of ${candidate.tenant}/${candidate.app}: ${error.message}`, error.details);
    }
    throw error;
  }
}
