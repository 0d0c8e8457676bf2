import { Hono } from 'hono';
import { z } from 'zod';
import type { ReviewService } from '../../services/index.js';
import { CHANGE_REQUEST_ID } from '../../reviews/change-request.js';
import type { AppEnv } from '../env.js';
import type { RouteRegistry } from '../openapi.js';
import { appParams } from '../schemas.js';
import { valid } from '../validation.js';

const crParams = z.object({ id: z.string().regex(CHANGE_REQUEST_ID, 'a change request id: 12 hex characters') });
const listQuery = z.object({ state: z.enum(['open', 'merged', 'rejected', 'superseded', 'all']).default('open') });
const comment = z.string().trim().min(1).max(4_000);
const approveBody = z.object({ comment: comment.optional() }).strict();
const rejectBody = z.object({ comment }).strict();
const commentBody = z.object({ body: comment }).strict();
const appPolicyBody = z.object({ mode: z.enum(['auto', 'review', 'inherit']) }).strict();

const changeRequest = z.object({
  id: z.string(),
  tenant: z.string(),
  app: z.string(),
  kind: z.enum(['deploy', 'rollback']),
  author: z.string(),
  message: z.string().optional(),
  branch: z.string(),
  base: z.string().optional(),
  commit: z.string(),
  state: z.enum(['open', 'merged', 'rejected', 'superseded']),
  deployment: z.string(),
  url: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  ageSeconds: z.number(),
  validation: z.object({ passed: z.boolean(), problems: z.array(z.object({}).catchall(z.unknown())), checkedAt: z.string() }),
  verdicts: z.array(z.object({ reviewer: z.string(), verdict: z.enum(['approve', 'reject']), comment: z.string().optional(), at: z.string() })),
  approvedBy: z.array(z.string()),
  comments: z.array(z.object({ by: z.string(), body: z.string(), at: z.string() })),
  conflict: z.object({ message: z.string(), at: z.string(), main: z.string().optional() }).optional(),
  mergedCommit: z.string().optional(),
  note: z.string().optional(),
  closedAt: z.string().optional(),
});
const one = z.object({ changeRequest });

/** Review mode: change requests, verdicts and comments (API.md "Change requests"), and an app's own policy. */
export function reviewRoutes(reviews: ReviewService, docs: RouteRegistry): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const tag = 'reviews';

  const list = docs.add({
    method: 'get',
    path: '/change-requests',
    tag,
    auth: true,
    summary: 'Change requests, newest first: all of them for reviewers, your tenant’s otherwise',
    query: listQuery,
    response: z.object({ changeRequests: z.array(changeRequest) }),
  });
  r.get(list, valid('query', listQuery), async (c) => c.json({ changeRequests: await reviews.list(c.get('principal'), c.req.valid('query').state) }));

  const show = docs.add({
    method: 'get',
    path: '/change-requests/:id',
    tag,
    auth: true,
    summary: 'One change request with its code diff and rendered-manifest diff against the main it was branched from',
    params: crParams,
    response: z.object({ changeRequest, diff: z.object({ code: z.string(), manifests: z.string() }) }),
  });
  r.get(show, valid('param', crParams), async (c) => c.json(await reviews.get(c.get('principal'), c.req.valid('param').id)));

  const approve = docs.add({
    method: 'post',
    path: '/change-requests/:id/approve',
    tag,
    auth: true,
    role: 'reviewer',
    summary: 'Approve: lands the change on main with a Berth-Reviewed-By trailer; 403 for its author, 409 when the app changed on main meanwhile',
    params: crParams,
    body: approveBody,
    response: one,
    errors: [409],
  });
  r.post(approve, valid('param', crParams), valid('json', approveBody), async (c) =>
    c.json({ changeRequest: await reviews.approve(c.get('principal'), c.req.valid('param').id, c.req.valid('json').comment) }),
  );

  const reject = docs.add({
    method: 'post',
    path: '/change-requests/:id/reject',
    tag,
    auth: true,
    role: 'reviewer',
    summary: 'Reject with a comment: the request closes and main never moves',
    params: crParams,
    body: rejectBody,
    response: one,
    errors: [409],
  });
  r.post(reject, valid('param', crParams), valid('json', rejectBody), async (c) =>
    c.json({ changeRequest: await reviews.reject(c.get('principal'), c.req.valid('param').id, c.req.valid('json').comment) }),
  );

  const comments = docs.add({
    method: 'post',
    path: '/change-requests/:id/comments',
    tag,
    auth: true,
    summary: 'Comment on a change request (its author, reviewers, the tenant)',
    params: crParams,
    body: commentBody,
    response: one,
  });
  r.post(comments, valid('param', crParams), valid('json', commentBody), async (c) =>
    c.json({ changeRequest: await reviews.comment(c.get('principal'), c.req.valid('param').id, c.req.valid('json').body) }),
  );

  const policy = docs.add({
    method: 'put',
    path: '/apps/:tenant/:app/policy',
    tag: 'admin',
    auth: true,
    role: 'admin',
    summary: 'An app’s own review policy (auto, review), or inherit to follow its tenant’s again',
    params: appParams,
    body: appPolicyBody,
    response: z.object({ policy: z.object({ tenant: z.string(), app: z.string(), mode: z.enum(['auto', 'review']), source: z.enum(['app', 'tenant']) }) }),
  });
  r.put(policy, valid('param', appParams), valid('json', appPolicyBody), async (c) => {
    const p = c.req.valid('param');
    return c.json({ policy: await reviews.setAppPolicy(c.get('principal'), p.tenant, p.app, c.req.valid('json').mode) });
  });
  return r;
}
