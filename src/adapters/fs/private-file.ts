import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Owner read/write only, like an ssh private key. */
const PRIVATE_MODE = 0o600;

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

/**
 * Reads a key kept in a file, creating it with `generate()` on first use.
 * The file is written and fsynced under a unique temporary name with mode
 * 0600, then hard-linked to its final name: link() fails when the name
 * exists, so replicas starting together on one DATA_DIR all end up with
 * whichever key won, never a half-written or replaced one. A file that
 * group or others may read is refused with `tooOpen(message)`; the message
 * never holds the file's content.
 */
export async function loadOrCreatePrivateFile(path: string, generate: () => string | Promise<string>, tooOpen: (message: string) => Error): Promise<string> {
  const existing = await readPrivateFile(path, tooOpen);
  if (existing !== undefined) return existing;
  await createOnce(path, await generate());
  const created = await readPrivateFile(path, tooOpen);
  if (created === undefined) throw new Error(`${path} vanished right after it was created`);
  return created;
}

async function readPrivateFile(path: string, tooOpen: (message: string) => Error): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      throw tooOpen(`${path} is readable by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

async function createOnce(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', PRIVATE_MODE);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if (!hasCode(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
