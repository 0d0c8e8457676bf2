import { Hono } from 'hono';
import { z } from 'zod';
import type { AdminService, OpsService } from '../../services/index.js';
import type { AppEnv } from '../env.js';
import type { HttpDeps } from '../deps.js';
import type { RouteRegistry } from '../openapi.js';
import * as s from '../schemas.js';
import { valid } from '../validation.js';

/** Templates, change requests, operator and admin calls (all behind requireUser). */
export function opsAdminRoutes(deps: Pick<HttpDeps, 'services'>, docs: RouteRegistry, ops: OpsService, admin: AdminService): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get(docs.add({ method: 'get', path: '/templates', tag: 'apps', auth: true, summary: 'Starter templates', response: s.templatesResponse }), async (c) =>
    c.json({
      templates: (await deps.services.starters()).map((t) => ({
        id: t.id,
        name: t.name,
        description: t.description,
        files: t.files,
        entrypoint: t.entrypoint,
        teaches: t.teaches,
        tags: t.tags,
        needs: t.needs,
      })),
    }),
  );

  const commits = docs.add({
    method: 'get',
    path: '/ops/commits',
    tag: 'ops',
    auth: true,
    role: 'operator',
    summary: 'Commits of the apps repository branch',
    query: s.commitsQuery,
    response: s.commitsResponse,
  });
  r.get(commits, valid('query', s.commitsQuery), async (c) => c.json({ commits: await ops.commits(c.get('principal'), c.req.valid('query').limit) }));

  const revert = docs.add({
    method: 'post',
    path: '/ops/revert',
    tag: 'ops',
    auth: true,
    role: 'operator',
    summary: 'git revert of a commit (202)',
    body: s.revertSchema,
    status: 202,
    response: s.operationResponse,
    errors: [404, 409],
  });
  r.post(revert, valid('json', s.revertSchema), async (c) => c.json(await ops.revert(c.get('principal'), c.req.valid('json').commit, c.get('requestId')), 202));

  const pin = docs.add({
    method: 'post',
    path: '/ops/runner-image',
    tag: 'ops',
    auth: true,
    role: 'operator',
    summary: 'Pin the runner image by digest (202)',
    body: s.runnerImageSchema,
    status: 202,
    response: s.operationResponse,
    errors: [404],
  });
  r.post(pin, valid('json', s.runnerImageSchema), async (c) => c.json(await ops.pinRunner(c.get('principal'), c.req.valid('json'), c.get('requestId')), 202));

  const cleanup = docs.add({
    method: 'post',
    path: '/ops/cleanup',
    tag: 'ops',
    auth: true,
    role: 'operator',
    summary: 'Sleep/delete inactive apps (dry run by default)',
    body: s.cleanupSchema,
    response: s.cleanupResponse,
  });
  r.post(cleanup, valid('json', s.cleanupSchema), async (c) => c.json(await ops.cleanup(c.get('principal'), c.req.valid('json'), c.get('requestId'))));

  r.get(
    docs.add({
      method: 'get',
      path: '/admin/users',
      tag: 'admin',
      auth: true,
      role: 'admin',
      summary: 'All users',
      response: z.object({ users: z.array(s.userSchema) }),
    }),
    async (c) => c.json({ users: await admin.users(c.get('principal')) }),
  );

  const roles = docs.add({
    method: 'put',
    path: '/admin/users/:username/roles',
    tag: 'admin',
    auth: true,
    role: 'admin',
    summary: "Set a user's roles",
    params: s.usernameParams,
    body: s.rolesSchema,
    response: z.object({ user: s.userSchema }),
  });
  r.put(roles, valid('param', s.usernameParams), valid('json', s.rolesSchema), async (c) =>
    c.json({ user: await admin.setRoles(c.get('principal'), c.req.valid('param').username, c.req.valid('json').roles) }),
  );

  const policy = docs.add({
    method: 'put',
    path: '/admin/tenants/:tenant/policy',
    tag: 'admin',
    auth: true,
    role: 'admin',
    summary: "How a tenant's deploys land",
    params: s.tenantParams,
    body: s.policySchema,
    response: s.policyResponse,
  });
  r.put(policy, valid('param', s.tenantParams), valid('json', s.policySchema), async (c) =>
    c.json({ policy: await admin.setTenantPolicy(c.get('principal'), c.req.valid('param').tenant, c.req.valid('json').mode) }),
  );

  const importsBody = z.object({ modules: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/)).max(2000) });
  r.get(
    docs.add({
      method: 'get',
      path: '/admin/allowed-imports',
      tag: 'admin',
      auth: true,
      role: 'admin',
      summary: 'The import allow-list',
      response: s.modulesResponse,
      errors: [503],
    }),
    async (c) => c.json({ modules: await admin.allowedImports(c.get('principal')) }),
  );
  r.put(
    docs.add({
      method: 'put',
      path: '/admin/allowed-imports',
      tag: 'admin',
      auth: true,
      role: 'admin',
      summary: 'Replace the import allow-list',
      body: importsBody,
      response: s.modulesResponse,
    }),
    valid('json', importsBody),
    async (c) => c.json({ modules: await admin.setAllowedImports(c.get('principal'), c.req.valid('json').modules) }),
  );
  return r;
}
