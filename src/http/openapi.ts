import { z } from 'zod';

type Method = 'get' | 'post' | 'put' | 'delete';

/** One documented route: the same zod schemas the validators use. */
export interface RouteDoc {
  readonly method: Method;
  /** hono path under /api/v1 (`/apps/:tenant/:app`), or absolute when `root` is set. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly auth?: boolean;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly status?: number;
  readonly response?: z.ZodType;
  /** Served at the root rather than under /api/v1. */
  readonly root?: boolean;
}

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

  document(info: { readonly title: string; readonly version: string; readonly serverUrl?: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const path = (route.root ? '' : '/api/v1') + route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      paths[path] = { ...paths[path], [route.method]: operationOf(route) };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: { Error: schemaOf(errorSchema) },
      },
      paths,
    };
  }
}

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  // Transforms and refinements have no JSON Schema; document the shape they accept.
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
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

function operationOf(route: RouteDoc): Record<string, unknown> {
  const status = String(route.status ?? 200);
  return {
    tags: [route.tag],
    summary: route.summary,
    ...(route.auth ? { security: [{ bearer: [] }] } : {}),
    parameters: [...parametersOf('path', route.params), ...parametersOf('query', route.query)],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } } : {}),
    responses: {
      [status]: route.response ? { description: 'OK', content: { 'application/json': { schema: schemaOf(route.response) } } } : { description: 'OK' },
      default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    },
  };
}
