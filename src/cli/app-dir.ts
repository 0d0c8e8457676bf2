import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';

/** `berth.json` in an app folder: which app it is and its entrypoint. */
export const APP_FILE = 'berth.json';
const appFileSchema = z.object({ name: z.string().min(1), entrypoint: z.string().min(1).default('main.py') });
export type AppFile = z.infer<typeof appFileSchema>;

export async function readAppFile(dir: string): Promise<AppFile> {
  let text: string;
  try {
    text = await readFile(join(dir, APP_FILE), 'utf8');
  } catch {
    throw new InputError(`${resolve(dir)} has no ${APP_FILE}: run berth init first, or pass --app`);
  }
  const parsed = appFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InputError(`${APP_FILE} in ${resolve(dir)} is not valid: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** Writes a starter into a new (or empty) folder with its berth.json. */
export async function writeAppDir(dir: string, name: string | undefined, files: Readonly<Record<string, string>>, entrypoint: string): Promise<AppFile> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  if ((await readdir(root)).length > 0) throw new InputError(`${root} is not empty`);
  const app = { name: name ?? basename(root), entrypoint };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, ...path.split('/').slice(0, -1)), { recursive: true });
    await writeFile(join(root, ...path.split('/')), content);
  }
  await writeFile(join(root, APP_FILE), `${JSON.stringify(app, null, 2)}\n`);
  return app;
}
