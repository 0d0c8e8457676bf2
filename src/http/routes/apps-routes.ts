import { Hono, type Context, type Next } from 'hono';
import { z } from 'zod';
import type { AppService } from '../../services/app-service.js';
import type { DeployService } from '../../services/deploy-service.js';
import { InvalidCodeError } from '../../errors.js';
import type { AppEnv } from '../env.js';
import type { HttpDeps } from '../deps.js';
import type { RouteRegistry } from '../openapi.js';
import * as s from '../schemas.js';
import { parseOr400, valid } from '../validation.js';

const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'Idempotency-Key: 1-100 of A-Z a-z 0-9 . _ : -')
  .optional();
const releasesQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** /apps and everything under an app. Every route needs a bearer token (mounted behind requireUser). */
export function appsRoutes(deps: Pick<HttpDeps, 'rateLimits' | 'metrics'>, docs: RouteRegistry, apps: AppService, deploys: DeployService): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const tag = 'apps';
  const params = s.appParams;

  r.get(docs.add({ method: 'get', path: '/apps', tag, auth: true, summary: 'Apps you can see', response: s.appListResponse }), async (c) =>
    c.json({ apps: await apps.list(c.get('principal')) }),
  );

  r.post(
    docs.add({
      method: 'post',
      path: '/apps',
      tag,
      auth: true,
      summary: 'Create an app from a template or files',
      body: s.createAppSchema,
      status: 201,
      response: s.appResponse,
      errors: [409],
    }),
    valid('json', s.createAppSchema),
    async (c) => c.json({ app: await apps.create(c.get('principal'), c.req.valid('json')) }, 201),
  );

  const one = docs.add({ method: 'get', path: '/apps/:tenant/:app', tag, auth: true, summary: 'One app with its draft', params, response: s.appResponse });
  r.get(one, valid('param', params), async (c) => {
    const p = c.req.valid('param');
    return c.json({ app: await apps.get(c.get('principal'), p.tenant, p.app) });
  });

  const draft = docs.add({
    method: 'put',
    path: '/apps/:tenant/:app/draft',
    tag,
    auth: true,
    summary: 'Replace the draft',
    params,
    body: s.draftSchema,
    response: s.appResponse,
  });
  r.put(draft, valid('param', params), valid('json', s.draftSchema), async (c) => {
    const p = c.req.valid('param');
    return c.json({ app: await apps.updateDraft(c.get('principal'), p.tenant, p.app, c.req.valid('json')) });
  });

  const validate = docs.add({
    method: 'post',
    path: '/apps/:tenant/:app/validate',
    tag,
    auth: true,
    summary: 'Check code (given, or the draft)',
    params,
    body: s.validateSchema,
    response: s.validateResponse,
    errors: [429, 503],
  });
  // Limited before the body (up to 500 KB of code) is even parsed: the editor calls this on every pause.
  const validateLimit = async (c: Context<AppEnv>, next: Next) => {
    deps.rateLimits.validateByUser.take(c.get('principal').userId);
    await next();
  };
  r.post(validate, valid('param', params), validateLimit, valid('json', s.validateSchema), async (c) => {
    const p = c.req.valid('param');
    return c.json(await apps.validate(c.get('principal'), p.tenant, p.app, c.req.valid('json')));
  });

  const deploy = docs.add({
    method: 'post',
    path: '/apps/:tenant/:app/deploy',
    tag,
    auth: true,
    summary: 'Deploy the draft (202; 422 with problems)',
    params,
    body: s.deploySchema,
    status: 202,
    response: s.deploymentResponse,
    idempotent: true,
    errors: [422, 429, 503],
  });
  r.post(deploy, valid('param', params), valid('json', s.deploySchema), async (c) => {
    const p = c.req.valid('param');
    const principal = c.get('principal');
    deps.rateLimits.deployByUser.take(principal.userId);
    const key = parseIdempotencyKey(c.req.header('Idempotency-Key'));
    try {
      const result = await deploys.deploy(principal, p.tenant, p.app, { idempotencyKey: key, message: c.req.valid('json').message });
      deps.metrics.deploys.inc({ outcome: result.created ? 'accepted' : 'duplicate' });
      return c.json({ deployment: result.deployment }, 202);
    } catch (err) {
      if (err instanceof InvalidCodeError) deps.metrics.deploys.inc({ outcome: 'invalid' });
      throw err;
    }
  });

  const list = docs.add({
    method: 'get',
    path: '/apps/:tenant/:app/deployments',
    tag,
    auth: true,
    summary: 'Deployments, newest first',
    params,
    response: s.deploymentListResponse,
  });
  r.get(list, valid('param', params), async (c) => {
    const p = c.req.valid('param');
    return c.json({ deployments: await deploys.list(c.get('principal'), p.tenant, p.app) });
  });

  const releases = docs.add({
    method: 'get',
    path: '/apps/:tenant/:app/releases',
    tag,
    auth: true,
    summary: 'Releases read from Git',
    params,
    query: releasesQuery,
    response: s.releasesResponse,
  });
  r.get(releases, valid('param', params), valid('query', releasesQuery), async (c) => {
    const p = c.req.valid('param');
    return c.json({ releases: await deploys.releases(c.get('principal'), p.tenant, p.app, c.req.valid('query').limit) });
  });

  const rollback = docs.add({
    method: 'post',
    path: '/apps/:tenant/:app/rollback',
    tag,
    auth: true,
    summary: 'Restore the app as of a release: its full commit id or a unique prefix of 7+ characters (202; 409 if ambiguous)',
    params,
    body: s.rollbackSchema,
    status: 202,
    response: s.deploymentResponse,
    idempotent: true,
    errors: [409, 429],
  });
  r.post(rollback, valid('param', params), valid('json', s.rollbackSchema), async (c) => {
    const p = c.req.valid('param');
    const principal = c.get('principal');
    deps.rateLimits.deployByUser.take(principal.userId);
    const key = parseIdempotencyKey(c.req.header('Idempotency-Key'));
    const result = await deploys.rollback(principal, p.tenant, p.app, c.req.valid('json').to, { idempotencyKey: key });
    return c.json({ deployment: result.deployment }, 202);
  });

  const remove = docs.add({
    method: 'delete',
    path: '/apps/:tenant/:app',
    tag,
    auth: true,
    summary: 'Delete the app (a commit; 202)',
    params,
    status: 202,
    response: s.deploymentResponse,
    idempotent: true,
  });
  r.delete(remove, valid('param', params), async (c) => {
    const p = c.req.valid('param');
    const key = parseIdempotencyKey(c.req.header('Idempotency-Key'));
    const result = await deploys.remove(c.get('principal'), p.tenant, p.app, { idempotencyKey: key });
    return c.json({ deployment: result.deployment }, 202);
  });

  const status = docs.add({
    method: 'get',
    path: '/apps/:tenant/:app/status',
    tag,
    auth: true,
    summary: 'Git and cluster status',
    params,
    response: s.statusResponse,
  });
  r.get(status, valid('param', params), async (c) => {
    const p = c.req.valid('param');
    return c.json(await deploys.status(c.get('principal'), p.tenant, p.app));
  });

  const activity = docs.add({
    method: 'post',
    path: '/apps/:tenant/:app/activity',
    tag,
    auth: true,
    summary: 'Mark the app as in use (cleanup reads this)',
    params,
    status: 204,
  });
  r.post(activity, valid('param', params), async (c) => {
    const p = c.req.valid('param');
    await apps.activity(c.get('principal'), p.tenant, p.app);
    return c.body(null, 204);
  });
  return r;
}

function parseIdempotencyKey(header: string | undefined): string | undefined {
  return parseOr400(idempotencyKey, header, 'Idempotency-Key header');
}
