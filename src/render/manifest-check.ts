import { isAlias, isNode, parseAllDocuments, visit } from 'yaml';
import type { z } from 'zod';
import { ManifestError } from '../errors.js';

/*
 * The second line of defence after the quoting helpers: every rendered file
 * is read back before anyone sees it. A quoting bug that let a value start a
 * new document, add a key, or turn into an alias or a tag would show up here
 * as a second document, a parse warning, an alias/tag node or a schema
 * mismatch (the schemas are strict: no key they do not name).
 */

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.slice(0, 10).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** Parses `text` as exactly one plain YAML document (no aliases, anchors or explicit tags). */
export function parseSingleDocument(path: string, text: string): unknown {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs) || docs.length !== 1) {
    const count = Array.isArray(docs) ? docs.length : 0;
    throw new ManifestError(`${path}: expected exactly one YAML document, found ${count}`, { path });
  }
  const doc = docs[0];
  if (!doc) throw new ManifestError(`${path}: no YAML document`, { path });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  visit(doc, (_key, node) => {
    if (isAlias(node)) problems.push(`alias *${node.source}`);
    else if (isNode(node) && (node.anchor !== undefined || node.tag !== undefined)) {
      problems.push(`anchor or tag on ${JSON.stringify(node.toJSON())}`.slice(0, 200));
    }
  });
  if (problems.length > 0) throw new ManifestError(`${path}: not plain YAML: ${problems.join('; ')}`, { path, problems });
  return doc.toJS({ maxAliasCount: 0 });
}

/**
 * Reads a rendered file back and checks it against its schema. Returns the
 * parsed value; throws ManifestError when it is not exactly what the schema
 * describes (which is a renderer or template bug: it is never committed).
 */
export function checkRendered<S extends z.ZodType>(path: string, text: string, schema: S): z.output<S> {
  const value = parseSingleDocument(path, text);
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = describeIssues(result.error.issues);
    throw new ManifestError(`${path}: rendered manifest does not match its schema: ${problems.join('; ')}`, { path, problems });
  }
  return result.data;
}
