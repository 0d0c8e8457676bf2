/** `berth push` and `berth deploy`: a folder's files into the app's draft (creating the app on first use). */
import { z } from 'zod';
import { ApiError, type ApiClient } from './api-client.js';
import { readAppFile } from './app-dir.js';
import { uploadableFiles } from './code-files.js';

export interface Uploaded {
  readonly tenant: string;
  readonly name: string;
  readonly fileCount: number;
  readonly ignored: number;
  readonly created: boolean;
}

export async function uploadDraft(client: ApiClient, root: string): Promise<Uploaded> {
  const appFile = await readAppFile(root);
  const { files, ignored } = await uploadableFiles(root);
  const tenant = client.username;
  const base = `/api/v1/apps/${tenant}/${appFile.name}`;
  let created = false;
  try {
    const current = z.object({ app: z.object({ draft: z.object({ env: z.record(z.string(), z.unknown()) }) }) }).parse(await client.json('GET', base));
    // Keep the env set in the UI or with berth env; secret values stay on the server ({secret: true} keeps them).
    await client.json('PUT', `${base}/draft`, { files, entrypoint: appFile.entrypoint, env: current.app.draft.env });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404 && err.code === 'not_found')) throw err;
    await client.json('POST', '/api/v1/apps', { name: appFile.name, files, entrypoint: appFile.entrypoint });
    created = true;
  }
  return { tenant, name: appFile.name, fileCount: Object.keys(files).length, ignored, created };
}

/** "(3 files, 1 ignored by .berthignore)" */
export function filesSummary(uploaded: Uploaded): string {
  return `${uploaded.fileCount} file${uploaded.fileCount === 1 ? '' : 's'}${uploaded.ignored > 0 ? `, ${uploaded.ignored} ignored by .berthignore` : ''}`;
}

const draftEnvSchema = z.record(z.string(), z.union([z.object({ value: z.string(), secret: z.literal(false) }), z.object({ secret: z.literal(true) })]));
export type DraftEnv = z.infer<typeof draftEnvSchema>;
const draftSchema = z.object({ app: z.object({ draft: z.object({ files: z.record(z.string(), z.string()), entrypoint: z.string(), env: draftEnvSchema }) }) });

export async function readDraft(client: ApiClient, tenant: string, name: string) {
  return draftSchema.parse(await client.json('GET', `/api/v1/apps/${tenant}/${name}`)).app.draft;
}

/**
 * Changes the draft's env and keeps its files: the whole draft is PUT, with
 * each untouched secret as {secret: true} so its value stays on the server.
 */
export async function changeDraftEnv(
  client: ApiClient,
  tenant: string,
  name: string,
  change: (env: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const draft = await readDraft(client, tenant, name);
  const env: Record<string, unknown> = Object.fromEntries(
    Object.entries(draft.env).map(([key, v]) => [key, v.secret ? { secret: true } : { value: v.value, secret: false }]),
  );
  await client.json('PUT', `/api/v1/apps/${tenant}/${name}/draft`, { files: draft.files, entrypoint: draft.entrypoint, env: change(env) });
}
