import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

import { SealedValueError, SecretKeyError } from './sealed-value-error.js';

/*
 * Draft secret values rest in the Store sealed with AES-256-GCM so a copy of
 * berth.db (or a MongoDB dump) alone reveals nothing. Format:
 *   v1.<key id>.<iv>.<ciphertext>.<tag>   (base64url parts)
 * The version and key id are authenticated (part of the AAD) along with an
 * optional context, e.g. "acme/shop/API_TOKEN", so a sealed value copied onto
 * another app's variable fails to open instead of leaking there.
 */

const VERSION = 'v1';
/** AES-256 key length. */
export const SECRET_BOX_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals and opens small secret strings under one key. */
export interface SecretBox {
  /** Short public fingerprint of the key, stored in every sealed value. */
  readonly keyId: string;
  /** Encrypts with a fresh random IV; `context` must be given again to open. */
  seal(plaintext: string, context?: string): string;
  /** Decrypts; throws SealedValueError when the value was altered or sealed elsewhere. */
  open(sealed: string, context?: string): string;
}

/** The key's public fingerprint: tells "sealed under another key" apart from tampering. */
function fingerprint(key: Buffer): string {
  return createHash('sha256').update('berth secret-box key id\0').update(key).digest('base64url').slice(0, 8);
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}\0${keyId}\0${context}`, 'utf8');
}

/**
 * A box over a 32-byte key (from {@link loadOrCreateKey} or configuration).
 * Throws SecretKeyError for a key of any other length.
 */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== SECRET_BOX_KEY_BYTES) {
    throw new SecretKeyError(`secret key must be ${SECRET_BOX_KEY_BYTES} bytes, got ${key.length}`);
  }
  const ownKey = Buffer.from(key);
  const keyId = fingerprint(ownKey);

  function seal(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', ownKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(keyId, context));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, keyId, iv, data, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  function open(sealed: string, context = ''): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new SealedValueError('sealed value has an unknown format or version');
    }
    const [, sealedKeyId = '', iv = '', data = '', tag = ''] = parts;
    if (sealedKeyId !== keyId) {
      throw new SealedValueError(`sealed value was sealed under another key (${sealedKeyId}, this key is ${keyId})`);
    }
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
      throw new SealedValueError('sealed value is truncated');
    }
    const decipher = createDecipheriv('aes-256-gcm', ownKey, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(keyId, context));
    decipher.setAuthTag(tagBytes);
    try {
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedValueError('sealed value failed authentication (tampered, or opened with the wrong context)');
    }
  }

  return { keyId, seal, open };
}

/**
 * Parses a key given by configuration: base64 (or base64url) of 32 bytes.
 * Throws SecretKeyError otherwise, without echoing the text.
 */
export function parseSecretBoxKey(text: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new SecretKeyError('secret key must be base64');
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== SECRET_BOX_KEY_BYTES) {
    throw new SecretKeyError(`secret key must decode to ${SECRET_BOX_KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

export { loadOrCreateKey } from './key-file.js';
