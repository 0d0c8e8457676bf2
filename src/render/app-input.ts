import type { AppSpec, RunnerImage } from '../domain/app-spec.js';
import { envNameProblem, envValueProblem } from '../domain/env-rule.js';
import { assertCodePath } from '../domain/code-paths.js';
import { assertName } from '../domain/names.js';
import { assertRunnerImage } from '../domain/runner-image.js';
import { InputError } from '../errors.js';
import { TEMPLATE_VERSION } from './templates.js';

/*
 * The domain validates specs where they enter Berth; the renderer checks
 * them again (it is cheap) because a spec also comes back from Git, where
 * anyone with push access may have edited berth.yaml.
 */

/*
 * Text that kustomize cannot carry unchanged. Measured with kustomize v5.5
 * (kubectl 1.32), for env values and for code/ files alike, since both end up
 * as strings its YAML emitter writes out (Flux builds with the same library):
 *  - DEL and C1 controls (U+007F-U+009F), U+FFFE and U+FFFF: the build fails
 *    ("control characters are not allowed"), except NEL (U+0085), which comes
 *    back as a space;
 *  - text that starts with a tab and contains a line feed: the emitter writes
 *    a block scalar it then cannot read ("found a tab character where an
 *    indentation space is expected");
 *  - lone surrogates have no UTF-8 form at all (Git would store U+FFFD).
 * Every other code point, including NUL and the other C0 controls,
 * U+2028/2029 and astral characters, survives a build byte for byte.
 * Refusing these up front keeps Berth from committing an app Flux can never
 * build.
 */

const UNCARRIABLE = /[\u007f-\u009f\ufffe\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why kustomize would not reproduce `text` exactly, or undefined when it would. */
export function kustomizeTextProblem(text: string): string | undefined {
  if (typeof text !== 'string') return 'must be text';
  const bad = UNCARRIABLE.exec(text);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains U+${code} at offset ${bad.index}, which kustomize cannot carry (DEL, C1 controls, U+FFFE and U+FFFF are refused)`;
  }
  if (LONE_SURROGATE.test(text)) return 'is not well-formed Unicode (lone surrogate)';
  if (text.startsWith('\t') && text.includes('\n')) {
    return 'starts with a tab and spans several lines, which kustomize v5 writes as YAML it cannot read back';
  }
  return undefined;
}

/** Variables the runner itself needs (the whole rule, prefixes too, is src/domain/env-rule.ts). */
export { RESERVED_ENV_NAMES } from '../domain/env-rule.js';

/** RFC 3339, as `new Date().toISOString()` writes it (offsets accepted). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const MAX_OWNER_LENGTH = 200;

/** Sorts by UTF-16 code units: locale-independent, so output never depends on the machine. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fail(message: string, details?: unknown): never {
  throw new InputError(message, details);
}

function checkText(what: string, text: unknown, details: unknown): string {
  if (typeof text !== 'string') fail(`${what} must be text`, details);
  const problem = kustomizeTextProblem(text);
  if (problem) fail(`${what} ${problem}`, details);
  return text;
}

function checkEnvName(name: unknown, where: string): string {
  if (typeof name !== 'string') fail(`${where} name ${JSON.stringify(name)} must be text`, { name });
  const problem = envNameProblem(name);
  if (problem) fail(`${where} ${problem}`, { name });
  return name;
}

function checkFiles(files: unknown): Record<string, string> {
  if (typeof files !== 'object' || files === null) fail('files must be an object of path → content');
  const paths = Object.keys(files).sort(byCodeUnit);
  if (paths.length === 0) fail('an app needs at least one file');
  const out: Record<string, string> = {};
  for (const path of paths) {
    assertCodePath(path);
    out[path] = checkText(`file ${path}`, (files as Record<string, unknown>)[path], { path });
  }
  return out;
}

function checkEnv(env: unknown): Record<string, string> {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) fail('env must be an object of name → value');
  const out: Record<string, string> = {};
  for (const name of Object.keys(env).sort(byCodeUnit)) {
    const value = checkText(`env ${name}`, (env as Record<string, unknown>)[name], { name });
    const problem = envValueProblem(value);
    if (problem) fail(`env ${name} ${problem}`, { name });
    out[checkEnvName(name, 'env')] = value;
  }
  return out;
}

function checkSecretEnv(secretEnv: unknown, env: Record<string, string>): string[] {
  if (!Array.isArray(secretEnv)) fail('secretEnv must be a list of names');
  const names = secretEnv.map((name) => checkEnvName(name, 'secret env')).sort(byCodeUnit);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? '';
    if (names[i + 1] === name) fail(`secret env ${name} is listed twice`, { name });
    if (Object.hasOwn(env, name)) fail(`${name} is both a plain and a secret env variable`, { name });
  }
  return names;
}

function checkRunner(runner: unknown): RunnerImage {
  const r = (typeof runner === 'object' && runner !== null ? runner : {}) as Partial<Record<keyof RunnerImage, unknown>>;
  if (typeof r.image !== 'string' || typeof r.digest !== 'string') fail('runner must have an image and a digest', { runner });
  // The same rule the pin-runner operation applies: one definition of a valid pin.
  const { image, digest } = assertRunnerImage({ image: r.image, digest: r.digest });
  return { image, digest };
}

/**
 * Checks every field of an app spec and returns it normalized: env keys,
 * secretEnv and files sorted, optional fields absent rather than undefined.
 * That normal form is what berth.yaml records and what {@link parseAppSpec}
 * returns. Throws InputError naming the first problem.
 */
export function normalizeAppSpec(spec: AppSpec): AppSpec {
  if (typeof spec !== 'object' || spec === null) fail('app spec must be an object');
  const tenant = assertName('tenant', spec.tenant);
  const app = assertName('app', spec.app);
  const owner = checkText('owner', spec.owner, { owner: spec.owner });
  if (owner.length === 0 || owner.length > MAX_OWNER_LENGTH) fail(`owner must be 1 to ${MAX_OWNER_LENGTH} characters`);
  if (!Number.isSafeInteger(spec.templateVersion) || spec.templateVersion < 0) fail('templateVersion must be a non-negative integer');
  if (spec.templateVersion > TEMPLATE_VERSION) {
    fail(`app was rendered with template version ${spec.templateVersion}, newer than this Berth's ${TEMPLATE_VERSION}`);
  }
  const files = checkFiles(spec.files);
  const entrypoint = assertCodePath(spec.entrypoint);
  if (!entrypoint.endsWith('.py')) fail(`entrypoint ${entrypoint} must be a Python file`, { entrypoint });
  if (!Object.hasOwn(files, entrypoint)) fail(`entrypoint ${entrypoint} is not one of the app's files`, { entrypoint });
  const env = checkEnv(spec.env);
  const secretEnv = checkSecretEnv(spec.secretEnv, env);
  if (spec.replicas !== 0 && spec.replicas !== 1) fail('replicas must be 0 or 1');
  const out: AppSpec = { tenant, app, owner, entrypoint, files, env, secretEnv, replicas: spec.replicas, templateVersion: spec.templateVersion };
  const extra: { runner?: RunnerImage; asleepSince?: string } = {};
  if (spec.runner !== undefined) extra.runner = checkRunner(spec.runner);
  if (spec.asleepSince !== undefined) {
    if (typeof spec.asleepSince !== 'string' || !TIMESTAMP.test(spec.asleepSince)) fail('asleepSince must be an RFC 3339 timestamp');
    extra.asleepSince = spec.asleepSince;
  }
  return { ...out, ...extra };
}
