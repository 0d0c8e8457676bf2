import type Handlebars from 'handlebars';
import { ManifestError } from '../errors.js';

/** Helpers that turn one value into one YAML scalar (yaml-scalar.ts): the only mustaches allowed. */
export const VALUE_HELPERS = ['q', 'int', 'bool'] as const;
/** Block helpers that only choose or repeat template text, never emit a value. */
export const BLOCK_HELPERS = ['each', 'if', 'unless'] as const;

type Node = hbs.AST.Node;

/** Walks a parsed template and returns the first construct that could emit an unquoted value. */
export function findUnsafeMustache(program: hbs.AST.Program): string | undefined {
  for (const statement of program.body) {
    const problem = checkStatement(statement);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Throws unless every mustache in the template is `{{q x}}`, `{{int x}}` or
 * `{{bool x}}` and every block is `#each`/`#if`/`#unless` over a plain path.
 * Templates compile with `noEscape` (HTML escaping is wrong for YAML), so a
 * bare `{{x}}` or `{{{x}}}` would paste a value into the file as it is: that
 * is refused here, when the templates load, not discovered in a commit.
 */
export function assertSafeTemplate(name: string, program: hbs.AST.Program): void {
  const problem = findUnsafeMustache(program);
  if (problem) throw new ManifestError(`template ${name}: ${problem}`, { template: name });
}

function at(node: Node): string {
  return node.loc ? ` at line ${node.loc.start.line}, column ${node.loc.start.column}` : '';
}

function checkStatement(node: Node): string | undefined {
  switch (node.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return undefined;
    case 'MustacheStatement':
      return checkMustache(node as hbs.AST.MustacheStatement);
    case 'BlockStatement':
      return checkBlock(node as hbs.AST.BlockStatement);
    default:
      // Partials, decorators and anything a future Handlebars adds: not needed, so not allowed.
      return `${node.type} is not allowed${at(node)}`;
  }
}

function helperName(path: Node): string | undefined {
  if (path.type !== 'PathExpression') return undefined;
  const p = path as hbs.AST.PathExpression;
  return !p.data && p.depth === 0 && p.parts.length === 1 ? p.parts[0] : undefined;
}

function hasHash(node: { hash?: hbs.AST.Hash }): boolean {
  return node.hash !== undefined && node.hash.pairs.length > 0;
}

/** A helper argument: a path into the view (`x`, `a.b`, `../x`, `@key`, `this`) or a literal. */
function isPlainParam(param: Node): boolean {
  return ['PathExpression', 'StringLiteral', 'NumberLiteral', 'BooleanLiteral'].includes(param.type);
}

function checkMustache(node: hbs.AST.MustacheStatement): string | undefined {
  const name = helperName(node.path);
  const shown = node.path.type === 'PathExpression' ? (node.path as hbs.AST.PathExpression).original : node.path.type;
  if (!node.escaped) return `triple-stash or {{& }} of "${shown}" is not allowed${at(node)}; use {{q ${shown}}}`;
  if (!name || !(VALUE_HELPERS as readonly string[]).includes(name) || node.params.length !== 1) {
    return `bare mustache {{${shown}}} is not allowed${at(node)}; use {{q value}}, {{int value}} or {{bool value}}`;
  }
  const param = node.params[0];
  if (!param || !isPlainParam(param) || hasHash(node)) {
    return `{{${name}}} takes exactly one path or literal${at(node)}`;
  }
  return undefined;
}

function checkBlock(node: hbs.AST.BlockStatement): string | undefined {
  const name = helperName(node.path);
  if (!name || !(BLOCK_HELPERS as readonly string[]).includes(name)) {
    return `block {{#${node.path.original}}} is not allowed${at(node)}; only #each, #if and #unless`;
  }
  const param = node.params[0];
  if (node.params.length !== 1 || !param || param.type !== 'PathExpression' || hasHash(node)) {
    return `{{#${name}}} takes exactly one path${at(node)}`;
  }
  return (node.program && findUnsafeMustache(node.program)) ?? (node.inverse && findUnsafeMustache(node.inverse));
}

/** Compile options that match the guard: only our helpers exist, and nothing is HTML-escaped. */
export function guardedCompileOptions(): CompileOptions {
  const knownHelpers: Record<string, boolean> = {};
  for (const helper of [...VALUE_HELPERS, ...BLOCK_HELPERS]) knownHelpers[helper] = true;
  return { noEscape: true, knownHelpers, knownHelpersOnly: true, strict: false, preventIndent: true };
}

/** Handlebars' compile options type (a global in its typings). */
export type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;
