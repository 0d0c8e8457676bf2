import { Hono } from 'hono';
import { z } from 'zod';
import type { SystemWarning } from '../../gitops/system-warnings.js';
import type { AppEnv } from '../env.js';
import type { RouteRegistry } from '../openapi.js';

export const systemResponse = z.object({
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
});

/** `GET /system`: what an operator must fix, for every signed-in user (the UI shows it as a banner). */
export function systemRoutes(docs: RouteRegistry, warnings: () => Promise<readonly SystemWarning[]>): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const path = docs.add({
    method: 'get',
    path: '/system',
    tag: 'meta',
    auth: true,
    summary: "Warnings about Berth's configuration, e.g. a placeholder runner pin",
    response: systemResponse,
  });
  r.get(path, async (c) => c.json(systemResponse.parse({ warnings: await warnings() })));
  return r;
}
