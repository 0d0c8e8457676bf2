import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

import { SecretKeyError } from './sealed-value-error.js';

const KEY_BYTES = 32;
/** Owner read/write only, like an ssh private key. */
const KEY_FILE_MODE = 0o600;

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

async function readKeyFile(path: string): Promise<Buffer> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw new SecretKeyError(
      `key file ${path} is readable by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600`,
    );
  }
  const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SecretKeyError(`key file ${path} must hold base64 of ${KEY_BYTES} bytes, holds ${key.length}`);
  }
  return key;
}

/*
 * Created atomically: the key is written and fsynced under a unique temporary
 * name with mode 0600, then hard-linked to its final name. link() fails when
 * the name exists, so two replicas starting at once on the same DATA_DIR both
 * end up with whichever key won, never with a half-written or replaced one.
 */
async function createKeyFile(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', KEY_FILE_MODE);
  try {
    await handle.writeFile(`${randomBytes(KEY_BYTES).toString('base64')}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if (!hasCode(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temporary);
  }
}

/**
 * Reads the 32-byte key kept at `path` (base64 text), creating it on first
 * start with mode 0600. Refuses a key file that group or others may read.
 */
export async function loadOrCreateKey(path: string): Promise<Buffer> {
  try {
    return await readKeyFile(path);
  } catch (error) {
    if (!hasCode(error, 'ENOENT')) throw error;
  }
  await createKeyFile(path);
  return readKeyFile(path);
}
