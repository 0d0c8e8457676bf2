import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole } from '../../auth/authorize.js';
import { SIGNUP_MODES } from '../../auth/signup-policy.js';
import type { AdminService } from '../../services/index.js';
import type { AppEnv } from '../env.js';
import type { HttpDeps } from '../deps.js';
import type { RouteRegistry } from '../openapi.js';
import * as s from '../schemas.js';
import { valid } from '../validation.js';

const signupsBody = z.object({ mode: z.enum(SIGNUP_MODES) });
const signupsResponse = z.object({ mode: z.enum(SIGNUP_MODES) });
const inviteBody = z.object({ username: s.signupSchema.shape.username.optional() });
const inviteResponse = z.object({ invite: z.object({ token: z.string(), url: z.string(), expiresAt: z.string() }) });
const accountBody = s.signupSchema.omit({ invite: true });

/** Accounts: removing a user, the signup setting, invites and admin-created accounts (all behind requireUser, admin only). */
export function accountAdminRoutes(deps: Pick<HttpDeps, 'auth' | 'http'>, docs: RouteRegistry, admin: AdminService): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  const remove = docs.add({
    method: 'delete',
    path: '/admin/users/:username',
    tag: 'admin',
    auth: true,
    role: 'admin',
    summary: 'Remove a user (their tokens stop working at once; their apps stay, owned by the tenant; the username is not reused)',
    params: s.usernameParams,
    response: z.object({ user: s.userSchema }),
    errors: [404, 409],
  });
  r.delete(remove, valid('param', s.usernameParams), async (c) => c.json({ user: await admin.removeUser(c.get('principal'), c.req.valid('param').username) }));

  const create = docs.add({
    method: 'post',
    path: '/admin/users',
    tag: 'admin',
    auth: true,
    role: 'admin',
    summary: 'Create an account (whatever the signup setting)',
    body: accountBody,
    status: 201,
    response: z.object({ user: s.userSchema }),
    errors: [409],
  });
  r.post(create, valid('json', accountBody), async (c) => {
    requireRole(c.get('principal'), 'admin');
    return c.json({ user: await deps.auth.createAccount(c.req.valid('json')) }, 201);
  });

  r.get(
    docs.add({ method: 'get', path: '/admin/signups', tag: 'admin', auth: true, role: 'admin', summary: 'Who may sign up', response: signupsResponse }),
    async (c) => c.json({ mode: await admin.signups(c.get('principal')) }),
  );
  const setSignups = docs.add({
    method: 'put',
    path: '/admin/signups',
    tag: 'admin',
    auth: true,
    role: 'admin',
    summary: 'Set who may sign up: open, invite (invite links or admin-created accounts) or closed',
    body: signupsBody,
    response: signupsResponse,
  });
  r.put(setSignups, valid('json', signupsBody), async (c) => c.json({ mode: await admin.setSignups(c.get('principal'), c.req.valid('json').mode) }));

  const invite = docs.add({
    method: 'post',
    path: '/admin/invites',
    tag: 'admin',
    auth: true,
    role: 'admin',
    summary: 'A single-use invite link (7 days), optionally for one username',
    body: inviteBody,
    status: 201,
    response: inviteResponse,
    errors: [409],
  });
  r.post(invite, valid('json', inviteBody), async (c) => {
    const created = await admin.createInvite(c.get('principal'), c.req.valid('json').username);
    const url = `${deps.http.publicUrl}/signup?invite=${encodeURIComponent(created.token)}`;
    return c.json({ invite: { token: created.token, url, expiresAt: created.expiresAt } }, 201);
  });
  return r;
}
