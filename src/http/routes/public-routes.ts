import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { verifyHmacSignature } from '../../services/webhooks.js';
import { UnavailableError } from '../../errors.js';
import type { AppEnv } from '../env.js';
import type { HttpDeps } from '../deps.js';
import type { RouteRegistry } from '../openapi.js';
import { fluxWebhookResponse, githubWebhookResponse, jwksResponse, metricsResponse, okResponse } from '../schemas.js';

/** /healthz, /readyz, /metrics and /.well-known/jwks.json, at the root. */
export function healthRoutes(deps: Pick<HttpDeps, 'store' | 'readiness' | 'metrics' | 'auth'>, docs: RouteRegistry): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get(docs.add({ method: 'get', path: '/healthz', root: true, tag: 'health', summary: 'The process is up', response: okResponse }), (c) =>
    c.json({ ok: true }),
  );
  r.get(
    docs.add({
      method: 'get',
      path: '/readyz',
      root: true,
      tag: 'health',
      summary: 'Store and apps repository reachable',
      response: okResponse,
      errors: [503],
    }),
    async (c) => {
      const checks = [{ name: 'store', check: () => deps.store.ping() }, ...(deps.readiness ?? [])];
      const failed: string[] = [];
      await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), 2000);
          } catch (err) {
            c.get('logger').warn({ check: name, err: err instanceof Error ? err.message : String(err) }, 'readiness check failed');
            failed.push(name);
          }
        }),
      );
      if (failed.length > 0) throw new UnavailableError(`not ready: ${failed.sort().join(', ')}`, { failed });
      return c.json({ ok: true });
    },
  );
  r.get(
    docs.add({
      method: 'get',
      path: '/metrics',
      root: true,
      tag: 'health',
      summary: 'Prometheus metrics',
      contentType: 'text/plain; version=0.0.4',
      response: metricsResponse,
    }),
    async (c) => {
      c.header('Content-Type', deps.metrics.registry.contentType);
      return c.body(await deps.metrics.registry.metrics());
    },
  );
  r.get(
    docs.add({
      method: 'get',
      path: '/.well-known/jwks.json',
      root: true,
      tag: 'auth',
      summary: 'Public keys Berth signs access tokens with',
      response: jwksResponse,
    }),
    async (c) => {
      c.header('Cache-Control', 'public, max-age=300');
      return c.json(await deps.auth.jwks());
    },
  );
  return r;
}

/** HMAC-verified webhooks: a forged delivery is a 401 and changes nothing. */
export function webhookRoutes(deps: Pick<HttpDeps, 'store' | 'now' | 'webhooks' | 'services'>, docs: RouteRegistry): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const record = async (action: string, requestId: string, details: Record<string, unknown>) =>
    deps.store.audit.append({ id: randomUUID(), at: deps.now().toISOString(), actor: 'webhook', action, requestId, outcome: 'ok', details });

  r.post(
    docs.add({
      method: 'post',
      path: '/webhooks/github',
      tag: 'webhooks',
      summary: 'GitHub events (X-Hub-Signature-256)',
      status: 202,
      response: githubWebhookResponse,
      errors: [401],
    }),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      verifyHmacSignature(deps.webhooks.githubSecret, body, c.req.header('X-Hub-Signature-256'), 'GitHub');
      const event = (c.req.header('X-GitHub-Event') ?? 'unknown').slice(0, 64);
      const delivery = (c.req.header('X-GitHub-Delivery') ?? '').slice(0, 64);
      await record('webhook.github', c.get('requestId'), { event, delivery });
      // Review mode with the GitHub backend: pull request and review events move change requests.
      if (deps.services.githubReviews) await deps.services.githubReviews.webhook(event, delivery || undefined, parseJson(body));
      return c.json({ received: true, event }, 202);
    },
  );

  r.post(
    docs.add({
      method: 'post',
      path: '/webhooks/flux',
      tag: 'webhooks',
      summary: 'Flux notification-controller events (generic-hmac X-Signature)',
      status: 202,
      response: fluxWebhookResponse,
      errors: [401],
    }),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      verifyHmacSignature(deps.webhooks.fluxHmacKey, body, c.req.header('X-Signature'), 'Flux');
      let reason = 'unknown';
      let moved = 0;
      try {
        const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
        if (typeof parsed === 'object' && parsed !== null && 'reason' in parsed && typeof parsed.reason === 'string') reason = parsed.reason.slice(0, 100);
        moved = await deps.services.fluxEvents(parsed);
      } catch (err) {
        // A signed but unparsable event is still recorded: the signature proves who sent it.
        if (!(err instanceof SyntaxError)) throw err;
      }
      await record('webhook.flux', c.get('requestId'), { reason, deploymentsMoved: moved });
      return c.json({ received: true, deploymentsMoved: moved }, 202);
    },
  );
  return r;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}
