import { z } from 'zod';

/*
 * The gallery fields GET /templates adds to each starter (id, name,
 * description, files and entrypoint stay as they were): what it teaches, its
 * tags, and what it needs before it can run, so a client can ask for the
 * secrets and say "needs a database" before creating the app.
 */

const starterVariable = z.object({
  name: z.string().describe('Env var name, as POST /apps takes it in env'),
  description: z.string(),
});

export const starterGalleryFields = {
  teaches: z.string().describe('The one thing this starter teaches'),
  tags: z.array(z.string()),
  needs: z
    .object({
      database: z.boolean().describe("Keeps data in the tenant's MongoDB database (MONGODB_URI, set by Berth)"),
      secrets: z.array(starterVariable).describe('Secret env vars to set (as {secret: true}) before it works'),
      settings: z.array(starterVariable).describe('Optional plain env vars it reads'),
    })
    .describe('What the starter needs from Berth; say so before creating the app'),
};
