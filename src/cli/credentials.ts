import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const credentialsSchema = z.object({
  server: z.string(),
  username: z.string(),
  accessToken: z.string(),
  /** The refresh cookie's value: the CLI is its own cookie jar. */
  refreshToken: z.string().optional(),
});
export type Credentials = z.infer<typeof credentialsSchema>;

/** `$XDG_CONFIG_HOME/berth/credentials.json`, else `~/.config/berth/credentials.json`. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'berth', 'credentials.json');
}

export async function readCredentials(path = credentialsPath()): Promise<Credentials | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = credentialsSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** Written to a 0600 temp file and renamed: the token is never readable by others, not even briefly. */
export async function writeCredentials(credentials: Credentials, path = credentialsPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}
