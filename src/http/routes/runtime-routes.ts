import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { RuntimeService } from '../../services/runtime-service.js';
import type { AppEnv } from '../env.js';
import type { RouteRegistry } from '../openapi.js';
import { appAnswerResponse, appRequestSchema, eventsResponse, lifecycleResponse, logsQuery, logsResponse } from '../runtime-schemas.js';
import { appParams } from '../schemas.js';
import { valid } from '../validation.js';

/**
 * What runs: an app's logs (JSON, or server-sent events with follow=true),
 * its events, the test panel's request, sleep and wake. Mounted behind
 * requireUser like every /apps route.
 */
export function runtimeRoutes(docs: RouteRegistry, runtime: RuntimeService, sse: { readonly heartbeatMs?: number } = {}): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const tag = 'runtime';
  const params = appParams;
  const heartbeatMs = sse.heartbeatMs ?? 15_000;

  const logs = docs.add({
    method: 'get',
    path: '/apps/:tenant/:app/logs',
    tag,
    auth: true,
    summary: "The app's output: the last `tail` lines, or with follow=true server-sent `line` events",
    params,
    query: logsQuery,
    response: logsResponse,
  });
  r.get(logs, valid('param', params), valid('query', logsQuery), async (c) => {
    const p = c.req.valid('param');
    const q = c.req.valid('query');
    const principal = c.get('principal');
    if (!q.follow) return c.json({ lines: await runtime.logs(principal, p.tenant, p.app, q.tail) });
    const abort = new AbortController();
    c.req.raw.signal.addEventListener('abort', () => abort.abort(), { once: true });
    // Access is checked before the stream opens, so errors stay JSON.
    const lines = await runtime.followLogs(principal, p.tenant, p.app, q.tail, abort.signal);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => abort.abort());
      const heartbeat = setInterval(() => void stream.write(': heartbeat\n\n').catch(() => abort.abort()), heartbeatMs);
      try {
        for await (const line of lines) {
          if (stream.aborted) break;
          await stream.writeSSE({ event: 'line', data: JSON.stringify(line) });
        }
      } finally {
        clearInterval(heartbeat);
        abort.abort();
      }
    });
  });

  const events = docs.add({
    method: 'get',
    path: '/apps/:tenant/:app/events',
    tag,
    auth: true,
    summary: 'Runtime, Kubernetes and Flux events about the app, oldest first',
    params,
    response: eventsResponse,
  });
  r.get(events, valid('param', params), async (c) => {
    const p = c.req.valid('param');
    return c.json({ events: await runtime.events(c.get('principal'), p.tenant, p.app) });
  });

  const request = docs.add({
    method: 'post',
    path: '/apps/:tenant/:app/request',
    tag,
    auth: true,
    summary: "Test panel: send one request to the app's own live URL (10 s, 1 MiB each way)",
    params,
    body: appRequestSchema,
    response: appAnswerResponse,
  });
  r.post(request, valid('param', params), valid('json', appRequestSchema), async (c) => {
    const p = c.req.valid('param');
    return c.json(await runtime.request(c.get('principal'), p.tenant, p.app, c.req.valid('json')));
  });

  for (const action of ['sleep', 'wake'] as const) {
    const path = docs.add({
      method: 'post',
      path: `/apps/:tenant/:app/${action}`,
      tag,
      auth: true,
      summary: action === 'sleep' ? 'Put the app to sleep (a commit: replicas 0)' : 'Wake the app (a commit: replicas 1)',
      params,
      status: 202,
      response: lifecycleResponse,
    });
    r.post(path, valid('param', params), async (c) => {
      const p = c.req.valid('param');
      return c.json(await runtime[action](c.get('principal'), p.tenant, p.app), 202);
    });
  }
  return r;
}
