import { Hono } from 'hono';
import { z } from 'zod';
import { requireAppAccess } from '../../auth/authorize.js';
import { NotFoundError } from '../../errors.js';
import type { AppEnv } from '../env.js';
import type { Services } from '../../services/index.js';
import type { RouteRegistry } from '../openapi.js';
import { appParams, commitPrefix } from '../schemas.js';
import { valid } from '../validation.js';

export const releaseDiffParams = appParams.extend({ commit: commitPrefix });
export const releaseFilesResponse = z.object({ commit: z.string(), entrypoint: z.string(), files: z.record(z.string(), z.string()) });
export const releaseDiffResponse = z.object({
  commit: z.string(),
  previous: z.string().nullable(),
  code: z.string(),
  manifests: z.string(),
});

/** What the web UI's Releases panel reads beyond API.md's list: the diff of one release. */
export function releaseRoutes(services: Pick<Services, 'releaseDiff' | 'deploys'>, docs: RouteRegistry): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const diff = docs.add({
    method: 'get',
    path: '/apps/:tenant/:app/releases/:commit/diff',
    tag: 'apps',
    auth: true,
    summary: 'A release against the release before it: code and rendered manifests, as unified diffs',
    params: releaseDiffParams,
    response: releaseDiffResponse,
    errors: [409],
  });
  r.get(diff, valid('param', releaseDiffParams), async (c) => {
    const p = c.req.valid('param');
    requireAppAccess(c.get('principal'), p.tenant, 'read');
    const result = await services.releaseDiff({ tenant: p.tenant, app: p.app }, p.commit);
    if (!result) throw new NotFoundError(`${p.commit} is not a release of ${p.tenant}/${p.app}; GET .../releases lists them`);
    return c.json({ ...result, previous: result.previous ?? null });
  });

  const files = docs.add({
    method: 'get',
    path: '/apps/:tenant/:app/releases/:commit/files',
    tag: 'apps',
    auth: true,
    summary: "The app's code as committed in a release (full id or unique prefix of 7+; 409 if ambiguous), for berth pull --release",
    params: releaseDiffParams,
    response: releaseFilesResponse,
    errors: [409],
  });
  r.get(files, valid('param', releaseDiffParams), async (c) => {
    const p = c.req.valid('param');
    return c.json(await services.deploys.releaseFiles(c.get('principal'), p.tenant, p.app, p.commit));
  });
  return r;
}
