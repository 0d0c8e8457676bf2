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

/** A starter app offered by GET /templates and usable in POST /apps. */
export interface Starter {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Path → text, every path valid under src/domain/code-paths. */
  readonly files: Readonly<Record<string, string>>;
  readonly entrypoint: string;
}

const STARTER_FILE = 'starter.yaml';
/** Same bounds the app rules put on a deploy, so every starter is deployable as is. */
const MAX_FILES = CODE_LIMITS.maxFiles;
const MAX_FILE_BYTES = CODE_LIMITS.maxFileBytes;

const starterManifest = z
  .object({
    name: z.string().min(1).max(80),
    description: z.string().min(1).max(500),
    entrypoint: z.string().endsWith('.py'),
    /** Listing position; starters without one come last, by id. */
    order: z.number().int().optional(),
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
  const { name, description, entrypoint, order } = parsed.data;
  if (!(entrypoint in files)) fail(`entrypoint ${entrypoint} is not one of its files`);
  const sorted = Object.fromEntries(Object.keys(files).sort().map((path) => [path, files[path] ?? '']));
  const starter: Starter = Object.freeze({ id, name, description, entrypoint, files: Object.freeze(sorted) });
  return { starter, order: order ?? Number.MAX_SAFE_INTEGER };
}

function listFiles(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  const link = entries.find((entry) => entry.isSymbolicLink());
  // A link could pull a file from outside the starter into every new app.
  if (link) throw new InputError(`starter file ${join(link.parentPath, link.name)} is a symbolic link`);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
