import { join } from 'node:path';
import Handlebars from 'handlebars';
import { ManifestError } from '../errors.js';
import { assertSafeTemplate, guardedCompileOptions } from './template-guard.js';
import { formatYamlBool, formatYamlInt, quoteYamlString } from './yaml-scalar.js';

/**
 * Version of the manifests in templates/app and templates/index. Bump it with
 * every change to a template or to what the renderer feeds them: berth.yaml
 * records it, and the `upgrade` operation re-renders every app whose
 * berth.yaml holds an older number. A Berth never renders an app recorded
 * with a newer version than its own, so an old replica left running during a
 * rollout cannot silently downgrade apps.
 */
export const TEMPLATE_VERSION = 1;

/** Templates of one app's files, in templates/app/<name>.yaml.hbs. */
export const APP_TEMPLATE_NAMES = ['kustomization', 'deployment', 'service', 'ingressroute', 'networkpolicy', 'berth', 'flux-kustomization'] as const;
/** Templates of the index files derived from the set of apps, in templates/index/<name>.yaml.hbs. */
export const INDEX_TEMPLATE_NAMES = [
  'root-kustomization',
  'group-flux-kustomization',
  'group-kustomization',
  'tenant-kustomization',
  'tenant-namespace',
] as const;

/** Name of an app template (file name without `.yaml.hbs`). */
export type AppTemplateName = (typeof APP_TEMPLATE_NAMES)[number];
/** Name of an index template (file name without `.yaml.hbs`). */
export type IndexTemplateName = (typeof INDEX_TEMPLATE_NAMES)[number];

/** A compiled template: a view model in, YAML text out. */
export type RenderTemplate = (view: object) => string;

/** Every template the renderer needs, compiled and checked: from {@link compileTemplates} (src/adapters/templates reads them from disk). */
export interface Templates {
  /** Folder they were read from (diagnostics only). */
  readonly dir: string;
  readonly app: Readonly<Record<AppTemplateName, RenderTemplate>>;
  readonly index: Readonly<Record<IndexTemplateName, RenderTemplate>>;
}

const SUFFIX = '.yaml.hbs';

/**
 * One Handlebars environment for Berth: only the scalar helpers and the
 * built-in blocks exist in it, so a template cannot reach a helper the
 * guard does not know.
 */
const handlebars = Handlebars.create();
handlebars.registerHelper('q', (value: string) => quoteYamlString(value));
handlebars.registerHelper('int', (value: number) => formatYamlInt(value));
handlebars.registerHelper('bool', (value: boolean) => formatYamlBool(value));

/**
 * Parses, checks (see template-guard.ts) and compiles one template. Throws
 * ManifestError for a syntax error or any mustache that is not a quoting
 * helper call. The checked syntax tree is what gets compiled.
 */
export function compileTemplate(name: string, source: string): RenderTemplate {
  let ast: hbs.AST.Program;
  try {
    ast = handlebars.parse(source);
  } catch (error) {
    throw new ManifestError(`template ${name}: ${(error as Error).message}`, { template: name });
  }
  assertSafeTemplate(name, ast);
  const compiled = handlebars.compile(ast, guardedCompileOptions());
  return (view: object) => compiled(view);
}

/** Template sources by file name (`deployment.yaml.hbs`), as read from the `app/` and `index/` folders of `dir`. */
export interface TemplateSources {
  /** Folder they were read from: the prefix of every name in messages. */
  readonly dir: string;
  readonly app: ReadonlyMap<string, string>;
  readonly index: ReadonlyMap<string, string>;
}

/**
 * Checks and compiles a full template set. Throws ManifestError when a
 * template is missing, unknown, malformed, or emits a value without quoting it.
 */
export function compileTemplates(sources: TemplateSources): Templates {
  return {
    dir: sources.dir,
    app: compileSet(join(sources.dir, 'app'), APP_TEMPLATE_NAMES, sources.app),
    index: compileSet(join(sources.dir, 'index'), INDEX_TEMPLATE_NAMES, sources.index),
  };
}

/** Whether a file in a template folder is a template (the others are ignored). */
export const isTemplateFile = (file: string): boolean => file.endsWith(SUFFIX);

function compileSet<N extends string>(dir: string, names: readonly N[], files: ReadonlyMap<string, string>): Record<N, RenderTemplate> {
  const entries = [...files.keys()].filter(isTemplateFile);
  const unknown = entries.filter((file) => !(names as readonly string[]).includes(file.slice(0, -SUFFIX.length)));
  if (unknown.length > 0) throw new ManifestError(`unknown templates in ${dir}: ${unknown.join(', ')}`, { dir });
  const out = {} as Record<N, RenderTemplate>;
  for (const name of names) {
    const file = join(dir, `${name}${SUFFIX}`);
    const source = files.get(`${name}${SUFFIX}`);
    if (source === undefined) throw new ManifestError(`missing template ${file}`, { dir });
    out[name] = compileTemplate(file, source);
  }
  return out;
}
