import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_LIMITS } from '../validate/prechecks.js';

import { parse } from 'yaml';
import { z } from 'zod';

import { assertCodePath } from '../domain/code-paths.js';
import { assertName } from '../domain/names.js';
import { InputError, NotFoundError } from '../errors.js';

/*
 * Starter templates are folders under templates/starters/<id>/: a starter.yaml
 * describing the starter and the app's files exactly as a user would deploy
 * them. They are read once at start-up; a broken starter stops start-up
 * (it is a packaging bug), naming the folder and the problem.
 */

/** An environment variable a starter reads, as the gallery asks for it before creating the app. */
export interface StarterVariable {
  readonly name: string;
  readonly description: string;
}

/** What a starter needs from Berth to do its job; the gallery says so before creating the app. */
export interface StarterNeeds {
  /** It keeps data in the tenant's MongoDB database (MONGODB_URI). */
  readonly database: boolean;
  /** Secret env vars the app reads (set as secrets, never in code). */
  readonly secrets: readonly StarterVariable[];
  /** Plain, optional settings the app reads. */
  readonly settings: readonly StarterVariable[];
}

/** A starter app offered by GET /templates and usable in POST /apps. */
export interface Starter {
  readonly id: string;
  readonly name: string;
  /** One line for the gallery card. */
  readonly description: string;
  /** The one thing the starter teaches. */
  readonly teaches: string;
  readonly tags: readonly string[];
  readonly needs: StarterNeeds;
  /** Path → text, every path valid under src/domain/code-paths. */
  readonly files: Readonly<Record<string, string>>;
  readonly entrypoint: string;
}

const STARTER_FILE = 'starter.yaml';
/** Same bounds the app rules put on a deploy, so every starter is deployable as is. */
const MAX_FILES = CODE_LIMITS.maxFiles;
const MAX_FILE_BYTES = CODE_LIMITS.maxFileBytes;

const oneLine = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\n\r]*$/, 'must be one line');
const envVariable = z
  .object({
    // The env-name rule of the API (src/http/schemas.ts), so the gallery can set it as is.
    name: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'env names are upper-case letters, digits and "_"')
      .max(128),
    description: oneLine(200),
  })
  .strict();
const uniqueNames = (list: readonly { name: string }[]) => new Set(list.map((v) => v.name)).size === list.length;

const starterManifest = z
  .object({
    name: oneLine(80),
    description: oneLine(200),
    teaches: oneLine(300),
    tags: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,29}$/, 'tags are lower-case words joined by "-"'))
      .min(1)
      .max(6),
    entrypoint: z.string().endsWith('.py'),
    /** Listing position; starters without one come last, by id. */
    order: z.number().int().optional(),
    needs: z
      .object({
        database: z.boolean().default(false),
        secrets: z.array(envVariable).max(10).refine(uniqueNames, 'secret names must be unique').default([]),
        settings: z.array(envVariable).max(20).refine(uniqueNames, 'setting names must be unique').default([]),
      })
      .strict()
      .default({ database: false, secrets: [], settings: [] }),
  })
  .strict();

/** Where the package keeps its starters (same relative place from src/ and dist/). */
export const DEFAULT_STARTERS_DIR = fileURLToPath(new URL('../../templates/starters/', import.meta.url));

const cache = new Map<string, readonly Starter[]>();

/**
 * Reads and validates every starter under `dir` (once per folder; later calls
 * return the same frozen list). Throws InputError naming the starter at fault.
 */
export function loadStarters(dir: string = DEFAULT_STARTERS_DIR): readonly Starter[] {
  const root = resolve(dir);
  const cached = cache.get(root);
  if (cached) return cached;
  const loaded = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => readStarter(join(root, entry.name), entry.name))
    .sort((a, b) => a.order - b.order || a.starter.id.localeCompare(b.starter.id))
    .map(({ starter }) => starter);
  if (loaded.length === 0) throw new InputError(`no starters found in ${root}`);
  const starters = Object.freeze(loaded);
  cache.set(root, starters);
  return starters;
}

/** The starter with this id, or NotFoundError (for POST /apps with an unknown template). */
export function findStarter(starters: readonly Starter[], id: string): Starter {
  const starter = starters.find((candidate) => candidate.id === id);
  if (!starter) throw new NotFoundError(`no starter template ${JSON.stringify(id)}`, { template: id });
  return starter;
}

function readStarter(dir: string, id: string): { starter: Starter; order: number } {
  const fail = (problem: string): never => {
    throw new InputError(`starter ${JSON.stringify(id)} (${dir}): ${problem}`, { starter: id });
  };
  try {
    assertName('app', id);
  } catch {
    fail('folder name must be a valid app name');
  }
  const parsed = starterManifest.safeParse(parse(readFileSync(join(dir, STARTER_FILE), 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`${STARTER_FILE} ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const files: Record<string, string> = {};
  for (const file of listFiles(dir)) {
    const path = relative(dir, file).split(sep).join('/');
    if (path === STARTER_FILE) continue;
    try {
      assertCodePath(path);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
    if (statSync(file).size > MAX_FILE_BYTES) fail(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
    files[path] = readFileSync(file, 'utf8');
  }
  const count = Object.keys(files).length;
  if (count === 0 || count > MAX_FILES) fail(`must hold between 1 and ${MAX_FILES} files, holds ${count}`);
  const { name, description, teaches, tags, entrypoint, order, needs } = parsed.data;
  if (!(entrypoint in files)) fail(`entrypoint ${entrypoint} is not one of its files`);
  const variables = [...needs.secrets, ...needs.settings].map((v) => v.name);
  if (new Set(variables).size !== variables.length) fail('needs: a name is both a secret and a setting');
  // Berth sets MONGODB_URI itself when a database is attached; a starter asks for it with database: true.
  if (variables.includes('MONGODB_URI')) fail('needs: declare MONGODB_URI as database: true, not as a variable');
  const sorted = Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((path) => [path, files[path] ?? '']),
  );
  const starter: Starter = Object.freeze({
    id,
    name,
    description,
    teaches,
    tags: Object.freeze(tags),
    needs: Object.freeze({ database: needs.database, secrets: Object.freeze(needs.secrets), settings: Object.freeze(needs.settings) }),
    entrypoint,
    files: Object.freeze(sorted),
  });
  return { starter, order: order ?? Number.MAX_SAFE_INTEGER };
}

function listFiles(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  const link = entries.find((entry) => entry.isSymbolicLink());
  // A link could pull a file from outside the starter into every new app.
  if (link) throw new InputError(`starter file ${join(link.parentPath, link.name)} is a symbolic link`);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
