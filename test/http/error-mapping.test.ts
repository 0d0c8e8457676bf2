import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RefLockedError } from '../../src/adapters/git/index.js';
import * as errors from '../../src/errors.js';
import type { AppEnv } from '../../src/http/env.js';
import { handleError, STATUS } from '../../src/http/error-mapping.js';

/** One instance of every error class in src, with the status and retriability the API promises for it. */
const CASES: readonly { readonly error: errors.BerthError; readonly status: number; readonly retriable: boolean }[] = [
  { error: new errors.InputError('bad'), status: 400, retriable: false },
  { error: new errors.InvalidNameError('bad name'), status: 400, retriable: false },
  { error: new errors.InvalidPathError('bad path'), status: 400, retriable: false },
  { error: new errors.UnauthorizedError(), status: 401, retriable: false },
  { error: new errors.ForbiddenError(), status: 403, retriable: false },
  { error: new errors.NotFoundError('gone'), status: 404, retriable: false },
  { error: new errors.MethodNotAllowedError(['GET', 'PUT']), status: 405, retriable: false },
  { error: new errors.ConflictError('moved'), status: 409, retriable: false },
  { error: new errors.RevertConflictError('changed again'), status: 409, retriable: false },
  { error: new errors.TooLargeError('big'), status: 413, retriable: false },
  { error: new errors.InvalidCodeError([]), status: 422, retriable: false },
  { error: new errors.RateLimitError(2.5), status: 429, retriable: false },
  { error: new errors.ManifestError('bug'), status: 500, retriable: false },
  { error: new errors.RepositoryError('corrupt ref'), status: 500, retriable: false },
  { error: new errors.InternalError('internal error'), status: 500, retriable: false },
  { error: new errors.RemoteRejectedError('credentials refused'), status: 502, retriable: false },
  { error: new errors.GitUnavailableError('remote timed out'), status: 503, retriable: true },
  { error: new RefLockedError('/repo/refs/heads/main.lock', 5000), status: 503, retriable: true },
  { error: new errors.StoreBusyError('the database is busy'), status: 503, retriable: true },
  { error: new errors.RetryExhaustedError('kept moving'), status: 503, retriable: true },
  { error: new errors.UnavailableError('down'), status: 503, retriable: true },
];

function appThrowing(error: Error) {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('logger', pino({ level: 'silent' }));
    c.set('requestId', 'req-1');
    await next();
  });
  app.onError(handleError);
  app.get('/', () => {
    throw error;
  });
  return app;
}

/** Every `class X extends Y` in src whose chain reaches BerthError. */
function errorClassesInSrc(): string[] {
  const root = join(import.meta.dirname, '..', '..', 'src');
  const parents = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(/class (\w+) extends (\w+)/g)) parents.set(m[1] ?? '', `${m[2]}@${relative(root, path)}`);
    }
  };
  walk(root);
  const reaches = (name: string): boolean => {
    const parent = parents.get(name)?.split('@')[0];
    return parent === 'BerthError' || (parent !== undefined && reaches(parent));
  };
  return [...parents.keys()].filter(reaches).sort();
}

describe('the API error mapping', () => {
  it('covers every error class in src, one class per code, and every code in the table', () => {
    expect(CASES.map((c) => c.error.constructor.name).sort()).toEqual(errorClassesInSrc());
    const codes = CASES.map((c) => c.error.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(Object.keys(STATUS).sort());
  });

  it.each(CASES.map((c) => [c.error.code, c] as const))(
    'answers %s with its status, code, message and details',
    async (_code, { error, status, retriable }) => {
      expect(error.retriable).toBe(retriable);
      const res = await appThrowing(error).request('/');
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
      expect(body.error.code).toBe(error.code);
      expect(body.error.message).toBe(error.message);
      expect(body.error.details).toEqual(error.details);
      expect(res.headers.get('Retry-After')).toBe(error instanceof errors.RateLimitError ? '3' : null);
      expect(res.headers.get('Allow')).toBe(error instanceof errors.MethodNotAllowedError ? 'GET, PUT' : null);
    },
  );

  it('answers anything untyped with a bare 500 that names only the request id', async () => {
    const res = await appThrowing(new Error('secret internals: /etc/passwd')).request('/');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal', message: 'internal error', details: { requestId: 'req-1' } } });
  });
});
