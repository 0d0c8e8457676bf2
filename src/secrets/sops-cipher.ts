import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

import { InputError } from '../errors.js';

/*
 * The value format of getsops/sops (aes/cipher.go): AES-256-GCM with a
 * 32-byte random nonce (sops calls cipher.NewGCMWithNonceSize(32)), the
 * value's key path joined by ":" plus a trailing ":" as additional data, and
 * `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>]` as the stored text.
 * Empty strings are stored as they are: sops never encrypts them either.
 */

/** Nonce length sops uses for every value (not GCM's usual 12 bytes). */
const SOPS_NONCE_BYTES = 32;
const GCM_TAG_BYTES = 16;
/** sops data keys are 32 random bytes (AES-256). */
export const SOPS_DATA_KEY_BYTES = 32;

const ENCRYPTED_VALUE = /^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(.+)\]$/;

/** A fresh random data key, as `sops` makes one per file. */
export function createSopsDataKey(): Buffer {
  return randomBytes(SOPS_DATA_KEY_BYTES);
}

/** The additional authenticated data sops binds a value to: its key path. */
export function sopsPathAad(path: readonly string[]): string {
  return `${path.join(':')}:`;
}

/** Encrypts one string value the way `sops` does (type `str`). */
export function encryptSopsString(plaintext: string, dataKey: Buffer, additionalData: string): string {
  if (plaintext === '') return '';
  const iv = randomBytes(SOPS_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${tag.toString('base64')},type:str]`;
}

/**
 * Decrypts a sops value to its raw plaintext bytes (what sops hashes into the
 * MAC for every type). Throws InputError when the text is not a sops value or
 * fails authentication.
 */
export function decryptSopsValue(ciphertext: string, dataKey: Buffer, additionalData: string): { bytes: Buffer; type: string } {
  if (ciphertext === '') return { bytes: Buffer.alloc(0), type: 'str' };
  const match = ENCRYPTED_VALUE.exec(ciphertext);
  if (!match) throw new InputError('value is not in sops ENC[AES256_GCM,...] format');
  const [, data = '', iv = '', tag = '', type = ''] = match;
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(iv, 'base64'), {
    authTagLength: GCM_TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  try {
    return { bytes: Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]), type };
  } catch {
    throw new InputError('sops value failed authentication (wrong key, path or tampered text)');
  }
}

/**
 * The sops MAC: SHA-512 over the bytes of every value in document order
 * (encrypted or not, comments excluded), as upper-case hex.
 */
export function computeSopsMac(valuesInOrder: Iterable<Uint8Array>): string {
  const hash = createHash('sha512');
  for (const value of valuesInOrder) hash.update(value);
  return hash.digest('hex').toUpperCase();
}

/**
 * `lastmodified` as sops writes it and as it re-formats it for the MAC's
 * additional data (Go's time.RFC3339 in UTC: whole seconds, `Z`).
 */
export function formatSopsTimestamp(when: Date): string {
  return `${when.toISOString().slice(0, 19)}Z`;
}
