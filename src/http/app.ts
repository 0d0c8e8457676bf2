import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { MethodNotAllowedError, NotFoundError, TooLargeError } from '../errors.js';
import type { HttpDeps } from './deps.js';
import type { AppEnv } from './env.js';
import { handleError } from './error-mapping.js';
import { auditTrail, requestContext, requireUser } from './middleware.js';
import { RouteRegistry } from './openapi.js';
import { openapiResponse } from './schemas.js';
import { appsRoutes } from './routes/apps-routes.js';
import { accountAdminRoutes } from './routes/account-admin-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { deploymentRoutes } from './routes/deployment-routes.js';
import { opsAdminRoutes } from './routes/ops-admin-routes.js';
import { runtimeRoutes } from './routes/runtime-routes.js';
import { healthRoutes, webhookRoutes } from './routes/public-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { releaseRoutes } from './routes/release-routes.js';
import { reviewRoutes } from './routes/review-routes.js';
import { CONTENT_SECURITY_POLICY, webUiRoutes } from './web-ui.js';

const PROTECTED_PREFIXES = ['/apps', '/apps/*', '/deployments/*', '/templates', '/change-requests', '/change-requests/*', '/ops/*', '/admin/*', '/system'];

/**
 * The HTTP API of API.md as one hono app, over services already built
 * (src/compose.ts builds them; routes only translate HTTP to calls).
 * Middleware order matters: the request id and log first, then headers,
 * CORS, the body limit and the audit trail; errors become responses only in
 * {@link handleError}.
 */
export function createApp(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const docs = new RouteRegistry();
  const { apps, deploys, ops, admin } = deps.services;

  app.onError(handleError);
  // A path that exists under another method is a 405 naming the methods it has (RFC 9110), not a 404.
  app.notFound((c) => {
    const allow = docs.allowedMethods(c.req.path);
    if (allow.length > 0) throw new MethodNotAllowedError(allow);
    throw new NotFoundError('no such route');
  });
  app.use('*', requestContext(deps.logger, deps.metrics));
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'same-origin', referrerPolicy: 'no-referrer', contentSecurityPolicy: CONTENT_SECURITY_POLICY }));
  if (deps.http.corsOrigins.length > 0) {
    const allowed = new Set(deps.http.corsOrigins);
    app.use(
      '/api/*',
      cors({
        // Echo only a configured origin, never `*`: credentials (the refresh cookie) are allowed.
        origin: (origin) => (allowed.has(origin) ? origin : null),
        credentials: true,
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
        allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
        exposeHeaders: ['X-Request-Id', 'Retry-After'],
        maxAge: 600,
      }),
    );
  }
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.http.bodyLimitBytes,
      onError: () => {
        throw new TooLargeError(`the request body is over ${deps.http.bodyLimitBytes} bytes`, { limit: deps.http.bodyLimitBytes });
      },
    }),
  );
  app.use('*', auditTrail(deps.store.audit, deps.now));
  // Token responses (and their errors) are never stored by a browser or a shared cache.
  app.use('/api/v1/auth/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  app.route('/', healthRoutes(deps, docs));
  const api = new Hono<AppEnv>();
  api.route('/', authRoutes(deps, docs));
  api.route('/', webhookRoutes(deps, docs));
  const openapiPath = docs.add({ method: 'get', path: '/openapi.json', tag: 'meta', summary: 'This document', response: openapiResponse });
  api.get(openapiPath, (c) => c.json(docs.document({ title: 'Berth API', version: '1', serverUrl: deps.http.publicUrl })));

  // Named prefixes rather than a catch-all, so that /auth/* and /webhooks/* stay open.
  for (const prefix of PROTECTED_PREFIXES) api.use(prefix, requireUser(deps.auth));
  api.route('/', appsRoutes(deps, docs, apps, deploys));
  api.route('/', deploymentRoutes(deps, docs, deploys));
  api.route('/', opsAdminRoutes(deps, docs, ops, admin));
  api.route('/', accountAdminRoutes(deps, docs, admin));
  api.route('/', systemRoutes(docs, deps.systemWarnings));
  api.route('/', runtimeRoutes(docs, deps.services.runtime, deps.sse));
  api.route('/', releaseRoutes(deps.services, docs));
  api.route('/', reviewRoutes(deps.services.reviews, docs));
  app.route('/api/v1', api);
  app.route('/', webUiRoutes(deps.webDir));
  return app;
}
