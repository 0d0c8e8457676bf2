import { randomBytes } from 'node:crypto';
import { loadOrCreatePrivateFile } from '../adapters/fs/private-file.js';

import { SecretKeyError } from './sealed-value-error.js';

const KEY_BYTES = 32;

function parseKey(path: string, text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SecretKeyError(`key file ${path} must hold base64 of ${KEY_BYTES} bytes, holds ${key.length}`);
  }
  return key;
}

/**
 * Reads the 32-byte key kept at `path` (base64 text), creating it on first
 * start with mode 0600. Refuses a key file that group or others may read.
 */
export async function loadOrCreateKey(path: string): Promise<Buffer> {
  const text = await loadOrCreatePrivateFile(
    path,
    () => `${randomBytes(KEY_BYTES).toString('base64')}\n`,
    (message) => new SecretKeyError(message),
  );
  return parseKey(path, text);
}
