import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { DeployService } from '../../services/deploy-service.js';
import { deploymentView } from '../../services/views.js';
import { FINAL_STATUSES, type DeploymentStatus } from '../../store/types.js';
import type { AppEnv } from '../env.js';
import type { HttpDeps } from '../deps.js';
import type { RouteRegistry } from '../openapi.js';
import { deploymentResponse, eventStreamResponse, idParams } from '../schemas.js';
import { valid } from '../validation.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** GET /deployments/:id and its server-sent events. */
export function deploymentRoutes(deps: Pick<HttpDeps, 'clusterConfigured' | 'runtimeKind' | 'sse'>, docs: RouteRegistry, deploys: DeployService): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  // Without a cluster nothing reconciles: `committed` is as far as a deployment goes.
  const reconciles = deps.clusterConfigured || (deps.runtimeKind !== undefined && deps.runtimeKind !== 'none');
  const final = new Set<DeploymentStatus>(reconciles ? FINAL_STATUSES : [...FINAL_STATUSES, 'committed']);
  const pollMs = deps.sse?.pollMs ?? 200;
  const heartbeatMs = deps.sse?.heartbeatMs ?? 15_000;

  const one = docs.add({
    method: 'get',
    path: '/deployments/:id',
    tag: 'deployments',
    auth: true,
    summary: 'One deployment and its timeline',
    params: idParams,
    response: deploymentResponse,
  });
  r.get(one, valid('param', idParams), async (c) => c.json({ deployment: deploymentView(await deploys.get(c.get('principal'), c.req.valid('param').id)) }));

  const events = docs.add({
    method: 'get',
    path: '/deployments/:id/events',
    tag: 'deployments',
    auth: true,
    summary: 'Server-sent events: one `stage` event per timeline entry, then `end`',
    params: idParams,
    contentType: 'text/event-stream',
    response: eventStreamResponse,
  });
  r.get(events, valid('param', idParams), async (c) => {
    const principal = c.get('principal');
    const id = c.req.valid('param').id;
    // Access and existence are checked before the stream opens, so errors stay JSON.
    await deploys.get(principal, id);
    const abort = c.req.raw.signal;
    return streamSSE(c, async (stream) => {
      let sent = 0;
      let lastWrite = Date.now();
      stream.onAbort(() => undefined);
      while (!stream.aborted && !abort.aborted) {
        const deployment = await deploys.get(principal, id);
        for (const entry of deployment.timeline.slice(sent)) {
          await stream.writeSSE({
            event: 'stage',
            id: String(sent),
            data: JSON.stringify({ ...entry, status: deployment.status, ...(deployment.commit ? { commit: deployment.commit } : {}) }),
          });
          sent += 1;
          lastWrite = Date.now();
        }
        if (final.has(deployment.status)) {
          await stream.writeSSE({ event: 'end', data: JSON.stringify({ deployment: deploymentView(deployment) }) });
          return;
        }
        if (Date.now() - lastWrite >= heartbeatMs) {
          // A comment line: keeps proxies from timing out an idle stream, ignored by EventSource.
          await stream.write(': heartbeat\n\n');
          lastWrite = Date.now();
        }
        await sleep(pollMs, abort);
      }
    });
  });
  return r;
}
