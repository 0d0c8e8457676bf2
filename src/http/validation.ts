import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import type { AppEnv } from './env.js';

type Target = 'json' | 'query' | 'param';

/** The zod issues as API details: where and what, never the rejected value itself. */
export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Parses `value` with `schema` or throws InputError (400) listing the issues. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InputError(`invalid ${what}`, { issues: issuesOf(parsed.error) });
  return parsed.data;
}

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  // Requiring JSON keeps cross-site "simple" form posts out of every state-changing route.
  if (!/^application\/([\w.-]+\+)?json$/.test(type)) throw new InputError('the body must be JSON (Content-Type: application/json)');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InputError('malformed JSON in the request body');
  }
}

function rawValue(c: Context<AppEnv>, target: Target): Promise<unknown> | unknown {
  if (target === 'json') return readJson(c);
  if (target === 'param') return c.req.param();
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

/**
 * Validation middleware: handlers then read `c.req.valid(target)`, typed by
 * the schema. Replaces @hono/zod-validator (not installed) in a few lines.
 */
export function valid<T extends Target, S extends z.ZodType>(
  target: T,
  schema: S,
): MiddlewareHandler<AppEnv, string, { in: { [K in T]: z.input<S> }; out: { [K in T]: z.output<S> } }> {
  return async (c, next) => {
    const value = parseOr400(schema, await rawValue(c, target), target === 'json' ? 'body' : target);
    c.req.addValidatedData(target, value as object);
    await next();
  };
}
