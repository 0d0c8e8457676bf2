import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/*
 * Checks a response against the OpenAPI document the server serves, as a
 * contract tester would: the operation for the method and path, the status
 * (or `default`), the media type, and the JSON body against the schema.
 * The HTTP harness and the e2e client run every response through it.
 */

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

interface Operation {
  readonly responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

export interface ResponseSample {
  readonly method: string;
  /** The request path, with or without a query string. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  /** The body as text. */
  readonly text: string;
}

export function openApiChecker(document: unknown) {
  const doc = document as Document;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  const cache = new Map<string, ValidateFunction>();
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    literal: template.split('/').filter((s) => !s.startsWith('{')).length,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
  }));
  const inline = (schema: unknown): unknown =>
    JSON.parse(JSON.stringify(schema).replace(/\{"\$ref":"#\/components\/schemas\/Error"\}/g, JSON.stringify(doc.components.schemas.Error)));

  /** Problems with one response (empty when it matches the document). */
  function check(sample: ResponseSample): string[] {
    const path = sample.path.split('?')[0] ?? '';
    const method = sample.method.toLowerCase();
    const where = `${sample.method} ${path} → ${sample.status}`;
    const matches = templates.filter((t) => t.pattern.test(path)).sort((a, b) => b.literal - a.literal);
    const operation = matches.map((m) => doc.paths[m.template]?.[method]).find((o) => o !== undefined);
    const template = matches.find((m) => doc.paths[m.template]?.[method])?.template;
    if (!operation || !template) {
      // Undocumented method or path: only the error answers are allowed.
      if (![401, 404, 405].includes(sample.status) && !(method === 'options' || method === 'head'))
        return [`${where}: no operation in the document, yet not a 401/404/405`];
      return sample.text === '' ? [] : validate('#error', doc.components.schemas.Error, sample, where);
    }
    const response = operation.responses[String(sample.status)] ?? operation.responses.default;
    if (!response) return [`${where}: status not in the document for ${template}`];
    if (!response.content) return sample.text === '' ? [] : [`${where}: the document says no content, got ${sample.text.length} bytes`];
    const mediaType = (sample.contentType ?? '').split(';')[0]?.trim() ?? '';
    const declared = Object.keys(response.content).find((type) => type.split(';')[0]?.trim() === mediaType);
    if (!declared) return [`${where}: Content-Type ${mediaType || '(none)'} is not one of ${Object.keys(response.content).join(', ')}`];
    if (!/json$/.test(mediaType)) return [];
    return validate(`${method} ${template} ${sample.status} ${declared}`, response.content[declared]?.schema, sample, where);
  }

  function validate(key: string, schema: unknown, sample: ResponseSample, where: string): string[] {
    let fn = cache.get(key);
    if (!fn) {
      fn = ajv.compile(inline(schema) as object);
      cache.set(key, fn);
    }
    let body: unknown;
    try {
      body = JSON.parse(sample.text);
    } catch {
      return [`${where}: the body is not JSON`];
    }
    return fn(body) ? [] : [`${where}: ${ajv.errorsText(fn.errors)}`];
  }

  return { check };
}
