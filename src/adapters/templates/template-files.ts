import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestError } from '../../errors.js';
import { packageRoot } from '../../package-paths.js';
import { compileTemplates, isTemplateFile, type Templates } from '../../render/templates.js';

/**
 * Reads and compiles every template under `dir` (its `app/` and `index/`
 * folders): the renderer's only input from disk, read once at startup and
 * passed to the render functions. Throws ManifestError when a template is
 * missing, unknown, malformed, or emits a value without quoting it.
 */
export function loadTemplates(dir: string = defaultTemplatesDir()): Templates {
  return compileTemplates({ dir, app: readSet(join(dir, 'app')), index: readSet(join(dir, 'index')) });
}

/** The package's own `templates/` folder. */
export function defaultTemplatesDir(): string {
  return join(packageRoot(), 'templates') + '/';
}

let cachedDefault: Templates | undefined;

/** The package's templates, loaded on first use and kept. */
export function defaultTemplates(): Templates {
  cachedDefault ??= loadTemplates(defaultTemplatesDir());
  return cachedDefault;
}

function readSet(dir: string): Map<string, string> {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter(isTemplateFile);
  } catch (error) {
    throw new ManifestError(`cannot read templates in ${dir}: ${(error as Error).message}`, { dir });
  }
  return new Map(entries.map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}
