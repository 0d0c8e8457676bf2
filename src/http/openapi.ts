import { z } from 'zod';
import { REFRESH_COOKIE } from '../auth/cookies.js';
import type { Role } from '../store/types.js';

export type Method = 'get' | 'post' | 'put' | 'delete';

/** One documented route: the same zod schemas the validators use. */
export interface RouteDoc {
  readonly method: Method;
  /** hono path under /api/v1 (`/apps/:tenant/:app`), or absolute when `root` is set. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly auth?: boolean;
  /** The role the route needs besides a valid token (roles imply lesser ones: admin ⊃ operator). Emitted as `x-berth-role`. */
  readonly role?: Role;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly status?: number;
  readonly response?: z.ZodType;
  /** Media type of the success response when it is not JSON (`text/event-stream`, Prometheus text). */
  readonly contentType?: string;
  /** Error statuses besides the ones the route's shape implies (400 for input, 401/403 for auth, 404 for path ids, 413 for bodies). */
  readonly errors?: readonly number[];
  /** Takes an `Idempotency-Key` header: a retry with the same key answers the first result. */
  readonly idempotent?: boolean;
  /** Reads the refresh cookie (`reads`; `optional`: uses it when sent), sets it (`sets`), or both. */
  readonly refreshCookie?: 'reads' | 'optional' | 'sets' | 'both';
  /** Served at the root rather than under /api/v1. */
  readonly root?: boolean;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'The request is malformed: bad JSON, a bad name or path, a value out of range',
  401: 'No bearer token, or one that does not verify',
  403: 'Signed in, but without the role this needs',
  404: 'No such resource (or none you may see)',
  409: 'Conflicts with a newer change',
  413: 'The body is over the configured limit',
  422: "The app's code has problems (details.problems lists them)",
  429: 'Too many requests; Retry-After says when to come back',
  502: 'The Git remote refused Berth',
  503: 'A dependency is unavailable or busy; try again shortly',
};

/**
 * Records routes as routers declare them and emits OpenAPI 3.1 with
 * `z.toJSONSchema`, so the document cannot drift from the validation.
 */
export class RouteRegistry {
  private readonly routes: RouteDoc[] = [];

  /** Records the route and hands back its path for the router call beside it. */
  add(doc: RouteDoc): string {
    this.routes.push(doc);
    return doc.path;
  }

  /**
   * The methods a concrete request path has routes for (upper case, HEAD with
   * GET), or [] when no route has that path: what a 405's Allow header lists.
   */
  allowedMethods(requestPath: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (pathPattern(route).test(requestPath)) methods.add(route.method.toUpperCase());
    }
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }

  document(info: { readonly title: string; readonly version: string; readonly serverUrl?: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const path = fullPath(route).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      paths[path] = { ...paths[path], [route.method]: operationOf(route) };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          refreshCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: REFRESH_COOKIE,
            description: 'The refresh token: httpOnly, SameSite=Strict, Path=/api/v1/auth, Secure in production; set by signup, login and refresh',
          },
        },
        schemas: { Error: schemaOf(errorSchema) },
        headers: {
          SetRefreshCookie: { description: `Sets the ${REFRESH_COOKIE} cookie (the rotated refresh token)`, schema: { type: 'string' } },
        },
      },
      paths,
    };
  }
}

const fullPath = (route: RouteDoc) => (route.root ? '' : '/api/v1') + route.path;

function pathPattern(route: RouteDoc): RegExp {
  const escaped = fullPath(route)
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  // Transforms have no JSON Schema; refinements are described by the `pattern`/`format` metadata beside them.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
}

function parametersOf(where: 'path' | 'query', schema: z.ZodObject | undefined): unknown[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
    schema: schemaOf(field as z.ZodType, 'input'),
  }));
}

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'A retry with the same key (per user) answers the deployment the first request created instead of queueing another',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$' },
};

function errorStatuses(route: RouteDoc): number[] {
  const statuses = new Set(route.errors ?? []);
  if (route.params || route.query || route.body || route.idempotent) statuses.add(400);
  if (route.auth) [401, 403].forEach((s) => statuses.add(s));
  if (route.refreshCookie === 'reads' || route.refreshCookie === 'both') statuses.add(401);
  if (route.params) statuses.add(404);
  if (route.body) statuses.add(413);
  return [...statuses].sort((a, b) => a - b);
}

function operationOf(route: RouteDoc): Record<string, unknown> {
  const status = String(route.status ?? 200);
  const reads = route.refreshCookie === 'reads' || route.refreshCookie === 'both';
  // `{}` as an alternative makes the cookie optional (OpenAPI security requirement semantics).
  const security = [
    ...(route.auth ? [{ bearer: [] }] : []),
    ...(reads ? [{ refreshCookie: [] }] : []),
    ...(route.refreshCookie === 'optional' ? [{ refreshCookie: [] }, {}] : []),
  ];
  const setsCookie = route.refreshCookie === 'sets' || route.refreshCookie === 'both';
  const success: Record<string, unknown> =
    status === '204'
      ? { description: 'No content' }
      : { description: 'OK', content: { [route.contentType ?? 'application/json']: { schema: route.response ? schemaOf(route.response) : {} } } };
  const errorBody = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return {
    tags: [route.tag],
    summary: route.summary,
    ...(security.length > 0 ? { security } : {}),
    ...(route.role ? { 'x-berth-role': route.role } : {}),
    parameters: [...parametersOf('path', route.params), ...parametersOf('query', route.query), ...(route.idempotent ? [IDEMPOTENCY_KEY] : [])],
    // The server reads an empty body as {}: the body is required only when {} is not a valid one.
    ...(route.body
      ? { requestBody: { required: !route.body.safeParse({}).success, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } }
      : {}),
    responses: {
      [status]: setsCookie ? { ...success, headers: { 'Set-Cookie': { $ref: '#/components/headers/SetRefreshCookie' } } } : success,
      ...Object.fromEntries(errorStatuses(route).map((s) => [String(s), { description: REASONS[s] ?? 'Error', ...errorBody }])),
      default: { description: 'Error', ...errorBody },
    },
  };
}
