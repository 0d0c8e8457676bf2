import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

/*
 * The OpenAPI document says what the server enforces: values the document
 * allows are accepted and values it refuses are answered 400, for names and
 * file paths; every operation documents its responses; a wrong method is a
 * 405 with Allow. (Every response the harness sees is also checked against
 * the document, in harness.ts.)
 */
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
type Operation = {
  requestBody?: { required: boolean; content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }>; headers?: unknown }>;
  security?: unknown[];
  parameters: { name: string; in: string }[];
};
type Doc = { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };

let h: Harness;
let token: string;
let doc: Doc;
const ajv = addFormats(new Ajv2020({ strict: false }));

beforeAll(async () => {
  h = await createHarness();
  token = await h.signup('alice');
  doc = (await h.call('GET', '/api/v1/openapi.json')).body as unknown as Doc;
});
afterAll(async () => h?.close());

const operation = (path: string, method: string): Operation => {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`no ${method} ${path} in the document`);
  return op;
};
const bodySchema = (path: string, method: string) => operation(path, method).requestBody?.content['application/json']?.schema ?? {};

describe('the OpenAPI document and the server agree', () => {
  it('on app names: the document accepts exactly the names the server accepts', async () => {
    const accepts = ajv.compile(bodySchema('/api/v1/apps', 'post'));
    const names = [
      'web',
      'a',
      '0',
      '9lives',
      'a-b',
      'a1-2b',
      'x'.repeat(30),
      'x'.repeat(31),
      'x'.repeat(64),
      'x'.repeat(65),
      'a--b',
      '-a',
      'a-',
      'Web',
      'a_b',
      'a.b',
      '',
      'é',
      'a b',
    ];
    const verdicts = [];
    for (const name of names) {
      const res = await h.call('POST', '/api/v1/apps', { token, body: { name, template: 'hello' } });
      expect([201, 400], `${name}: ${res.status}`).toContain(res.status);
      verdicts.push({ name, document: accepts({ name, template: 'hello' }), server: res.status === 201 });
    }
    expect(verdicts.filter((v) => v.document !== v.server)).toEqual([]);
    // web, a, a-b, a1-2b and the 30-character name; digit-first names are not DNS-1035 labels.
    expect(verdicts.filter((v) => v.server).map((v) => v.name)).toEqual(['web', 'a', 'a-b', 'a1-2b', 'x'.repeat(30)]);
  });

  it('on file paths: the document accepts exactly the paths the server accepts', async () => {
    const accepts = ajv.compile(bodySchema('/api/v1/apps/{tenant}/{app}/draft', 'put'));
    const main = 'from fastapi import FastAPI\n\napp = FastAPI()\n';
    const paths = [
      'util.py',
      'static/site.css',
      'a/b/c/d/e/f/g/h.py',
      'a/b/c/d/e/f/g/h/i.py',
      `${'x'.repeat(197)}.py`,
      `${'x'.repeat(198)}.py`,
      'A.py',
      '../a.py',
      './a.py',
      '.env',
      '/a.py',
      'a//b.py',
      'a.b.py',
      'a.exe',
      'static/',
      'Static/a.css',
      'a.py/',
      '',
    ];
    const verdicts = [];
    for (const path of paths) {
      const body = { files: { 'main.py': main, [path]: '# x\n' }, entrypoint: 'main.py', env: {} };
      const res = await h.call('PUT', '/api/v1/apps/alice/web/draft', { token, body });
      expect([200, 400], `${path}: ${res.status}`).toContain(res.status);
      verdicts.push({ path, document: accepts(body), server: res.status === 200 });
    }
    expect(verdicts.filter((v) => v.document !== v.server)).toEqual([]);
    expect(verdicts.filter((v) => v.server).length).toBe(4);
  });

  it('marks a request body required only where the server needs one', async () => {
    for (const [path, method] of [
      ['/api/v1/apps/{tenant}/{app}/deploy', 'post'],
      ['/api/v1/apps/{tenant}/{app}/validate', 'post'],
      ['/api/v1/ops/cleanup', 'post'],
    ] as const) {
      expect(operation(path, method).requestBody?.required, `${method} ${path}`).toBe(false);
    }
    expect(operation('/api/v1/auth/signup', 'post').requestBody?.required).toBe(true);
    const validate = await h.call('POST', '/api/v1/apps/alice/web/validate', { token });
    expect(validate.status).toBe(200);
  });

  it('gives every operation a typed success response, and each one taking input its 4xx statuses with the error schema', () => {
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const [status, success] = Object.entries(op.responses).find(([s]) => /^2/.test(s)) ?? [];
        if (!success || (status !== '204' && !success.content)) missing.push(`${method} ${path}: no success content`);
        const errors = Object.entries(op.responses).filter(([s]) => /^[45]/.test(s));
        // An operation that takes input or credentials can fail with a 4xx, and says which.
        const requiresCredentials = (op.security ?? []).length > 0 && !(op.security ?? []).some((alt) => Object.keys(alt as object).length === 0);
        const takesSomething = op.parameters.length > 0 || op.requestBody !== undefined || requiresCredentials;
        if (takesSomething && !errors.some(([s]) => /^4/.test(s))) missing.push(`${method} ${path}: no 4xx status`);
        for (const [s, r] of errors)
          if (JSON.stringify(r.content) !== JSON.stringify({ 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }))
            missing.push(`${method} ${path} ${s}: not the error schema`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(operation('/api/v1/apps/{tenant}/{app}/deploy', 'post').responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '404', '413', '422', '429']),
    );
    expect(Object.keys(operation('/metrics', 'get').responses['200']?.content ?? {})).toEqual(['text/plain; version=0.0.4']);
    expect(Object.keys(operation('/api/v1/deployments/{id}/events', 'get').responses['200']?.content ?? {})).toEqual(['text/event-stream']);
  });

  it('describes the refresh cookie and the Idempotency-Key header', () => {
    expect(doc.components.securitySchemes?.refreshCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'berth_refresh' });
    expect(operation('/api/v1/auth/refresh', 'post').security).toEqual([{ refreshCookie: [] }]);
    expect(operation('/api/v1/auth/login', 'post').responses['200']?.headers).toHaveProperty('Set-Cookie');
    for (const [path, method] of [
      ['/api/v1/apps/{tenant}/{app}/deploy', 'post'],
      ['/api/v1/apps/{tenant}/{app}/rollback', 'post'],
      ['/api/v1/apps/{tenant}/{app}', 'delete'],
    ] as const) {
      expect(operation(path, method).parameters, `${method} ${path}`).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
    }
  });
});

describe('a wrong method', () => {
  it('is a 405 whose Allow lists the methods the path has; an unknown path stays a 404', async () => {
    const patch = await h.call('PATCH', '/api/v1/apps', { token, body: {} });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('Allow')).toBe('GET, HEAD, POST');
    expect(patch.body.error.code).toBe('method_not_allowed');
    const put = await h.call('PUT', '/api/v1/apps/alice/web', { token, body: {} });
    expect(put.status).toBe(405);
    expect(put.headers.get('Allow')).toBe('DELETE, GET, HEAD');
    const root = await h.call('POST', '/healthz');
    expect(root.status).toBe(405);
    expect(root.headers.get('Allow')).toBe('GET, HEAD');
    const unknown = await h.call('GET', '/api/v1/nothing-here', { token });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('Allow')).toBeNull();
  });
});
