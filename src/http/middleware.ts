import { randomUUID } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import type { AuthPort } from '../ports/services.js';
import { bearerAuth } from '../auth/middleware.js';
import type { AuditStore } from '../ports/store.js';
import type { AppEnv } from './env.js';
import type { Metrics } from './metrics.js';

const INCOMING_ID = /^[A-Za-z0-9._:-]{8,100}$/;

/**
 * Request id (a well-formed incoming X-Request-Id is kept, so a client's
 * retry can reuse it as the idempotency key of operator calls), a child
 * logger, one access-log line and the latency histogram. Logs the route
 * template, never the query string, headers or body.
 */
export function requestContext(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('X-Request-Id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    c.set('logger', logger.child({ reqId: requestId }));
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routeTemplate(c);
    metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    const principal = c.get('principal') as AppEnv['Variables']['principal'] | undefined;
    c.get('logger').info(
      { method: c.req.method, route, status: c.res.status, ms: Math.round(seconds * 1000), ...(principal ? { user: principal.userId } : {}) },
      'request',
    );
  };
}

/** The bearer token's principal, or 401: auth's bearerAuth (tested there). Verification (alg, iss, aud, exp) is the auth service's. */
export function requireUser(auth: Pick<AuthPort, 'authenticate'>): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>(auth);
}

/** The client address; X-Forwarded-For only when a trusted proxy sets it. */
export function clientIp(c: Context<AppEnv>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * One audit event per state-changing request: who, what, when, request id
 * and outcome (denied for 401/403, failed for other errors). Reads pass.
 */
export function auditTrail(audit: AuditStore, now: () => Date): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (!STATE_CHANGING.has(c.req.method)) return;
    const status = c.res.status;
    const principal = c.get('principal') as AppEnv['Variables']['principal'] | undefined;
    try {
      await audit.append({
        id: randomUUID(),
        at: now().toISOString(),
        actor: principal?.userId ?? 'anonymous',
        action: `${c.req.method} ${routeTemplate(c)}`,
        target: c.req.path,
        requestId: c.get('requestId'),
        outcome: status < 400 ? 'ok' : status === 401 || status === 403 ? 'denied' : 'failed',
        details: { status },
      });
    } catch (err) {
      c.get('logger').error({ err }, 'audit event not written');
    }
  };
}

/** The route template that answered (`/api/v1/apps/:tenant/:app`): bounded label values, no ids. */
export function routeTemplate(c: Context<AppEnv>): string {
  const path = routePath(c, -1);
  return path === '/*' || path === '*' || path === '' ? 'unmatched' : path;
}
