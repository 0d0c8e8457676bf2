/* Pure: the test panel's form, read into what POST .../request takes (unit-tested in Node). */

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type Method = (typeof METHODS)[number];

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

export interface RequestForm {
  readonly method: Method;
  readonly path: string;
  /** One `Name: value` per line. */
  readonly headers: string;
  /** JSON text, or empty. */
  readonly body: string;
}

export type Parsed = { ok: true; request: { method: Method; path: string; headers?: Record<string, string>; body?: string } } | { ok: false; problem: string };

/** Checks the form as the API would, with words for the person; a JSON body gets `Content-Type: application/json` unless one is given. */
export function readRequestForm(form: RequestForm): Parsed {
  const path = form.path.trim();
  if (!path.startsWith('/') || path.startsWith('//')) return { ok: false, problem: 'Path must start with a single "/", e.g. /items?limit=3' };
  const headers: Record<string, string> = {};
  for (const [i, raw] of form.headers.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon).trim();
    if (colon < 0 || !HEADER_NAME.test(name)) return { ok: false, problem: `Header line ${i + 1} must look like "Name: value"` };
    headers[name] = line.slice(colon + 1).trim();
  }
  const body = form.body.trim();
  if (body) {
    if (form.method === 'GET' || form.method === 'HEAD') return { ok: false, problem: `A ${form.method} request has no body; choose POST, PUT or PATCH` };
    try {
      JSON.parse(body);
    } catch (err) {
      return { ok: false, problem: `Body is not JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  return { ok: true, request: { method: form.method, path, ...(Object.keys(headers).length ? { headers } : {}), ...(body ? { body } : {}) } };
}

/** A JSON answer indented for reading; anything else as it came. */
export function prettyBody(body: string, contentType: string | undefined): string {
  if (!/json/i.test(contentType ?? '') && !/^\s*[[{]/.test(body)) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** The newest first, at most `max` (the test panel keeps 20, in memory only). */
export const remember = <T>(history: readonly T[], entry: T, max = 20): T[] => [entry, ...history].slice(0, max);
