import { Hono } from 'hono';
import { z } from 'zod';
import { requireAppAccess } from '../../auth/authorize.js';
import { NotFoundError } from '../../errors.js';
import type { AppEnv } from '../env.js';
import type { Services } from '../../services/index.js';
import type { RouteRegistry } from '../openapi.js';
import { appParams } from '../schemas.js';
import { valid } from '../validation.js';

/** A full commit id or a prefix of at least 7 hex characters (API.md: any unique prefix). */
const commitPrefix = z.string().regex(/^[0-9a-f]{7,40}$/, 'must be a commit id or a prefix of at least 7 hex characters');
export const releaseDiffParams = appParams.extend({ commit: commitPrefix });
export const releaseDiffResponse = z.object({
  commit: z.string(),
  previous: z.string().nullable(),
  code: z.string(),
  manifests: z.string(),
});

/** What the web UI's Releases panel reads beyond API.md's list: the diff of one release. */
export function releaseRoutes(services: Pick<Services, 'releaseDiff'>, docs: RouteRegistry): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const diff = docs.add({
    method: 'get',
    path: '/apps/:tenant/:app/releases/:commit/diff',
    tag: 'apps',
    auth: true,
    summary: 'A release against the release before it: code and rendered manifests, as unified diffs',
    params: releaseDiffParams,
    response: releaseDiffResponse,
  });
  r.get(diff, valid('param', releaseDiffParams), async (c) => {
    const p = c.req.valid('param');
    requireAppAccess(c.get('principal'), p.tenant, 'read');
    const result = await services.releaseDiff({ tenant: p.tenant, app: p.app }, p.commit);
    if (!result) throw new NotFoundError(`${p.commit} is not (or not uniquely) a release of ${p.tenant}/${p.app}; GET .../releases lists them`);
    return c.json({ ...result, previous: result.previous ?? null });
  });
  return r;
}
