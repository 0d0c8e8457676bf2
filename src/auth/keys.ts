import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { z } from 'zod';
import { loadOrCreatePrivateFile } from '../adapters/fs/private-file.js';
import { InputError } from '../errors.js';

/**
 * Berth's signing key: Ed25519, generated on first start and kept in
 * DATA_DIR, or given by config. A key that survives restarts and is shared by
 * every replica is the point (weak point S5: the original signed with a random
 * per-process secret, so every restart logged everybody out).
 */
export const SIGNING_ALG = 'EdDSA';
export const SIGNING_KEY_FILE = 'signing-key.json';

/** The public half as published at /.well-known/jwks.json. */
export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: typeof SIGNING_ALG;
  readonly use: 'sig';
}

/** A key tokens can be verified with (older keys after a rotation are only this). */
export interface VerificationKey {
  readonly kid: string;
  readonly publicKey: CryptoKey;
  readonly publicJwk: PublicJwk;
}

export interface SigningKey extends VerificationKey {
  readonly privateKey: CryptoKey;
  readonly alg: typeof SIGNING_ALG;
}

const privateJwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  d: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
type PrivateJwk = z.infer<typeof privateJwkSchema>;

function parsePrivateJwk(input: unknown, source: string): PrivateJwk {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new InputError(`${source} is not JSON`);
    }
  }
  const parsed = privateJwkSchema.safeParse(value);
  // The message names the source, never the key material.
  if (!parsed.success) throw new InputError(`${source} is not an Ed25519 private JWK (kty OKP, crv Ed25519, x, d)`);
  return parsed.data;
}

async function fromPrivateJwk(jwk: PrivateJwk): Promise<SigningKey> {
  const publicPart = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  const kid = await calculateJwkThumbprint(publicPart, 'sha256');
  const privateKey = await importJWK({ ...jwk }, SIGNING_ALG);
  const publicKey = await importJWK(publicPart, SIGNING_ALG);
  if (!isCryptoKey(privateKey) || !isCryptoKey(publicKey)) throw new InputError('signing key did not import as a CryptoKey');
  const publicJwk: PublicJwk = { ...publicPart, kid, alg: SIGNING_ALG, use: 'sig' };
  return { kid, privateKey, publicKey, publicJwk, alg: SIGNING_ALG };
}

function isCryptoKey(key: CryptoKey | Uint8Array): key is CryptoKey {
  return !(key instanceof Uint8Array);
}

async function generatePrivateJwk(): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const jwk: JWK = await exportJWK(privateKey);
  return parsePrivateJwk(jwk, 'generated key');
}

/** Where the signing key comes from: a data directory (created on first use) or config. */
export type SigningKeySource = { readonly dir: string } | { readonly privateJwk: unknown };

/** Loads the signing key, creating `<dir>/signing-key.json` (mode 0600) on first start. */
export async function loadOrCreateSigningKey(source: SigningKeySource): Promise<SigningKey> {
  if ('privateJwk' in source) return fromPrivateJwk(parsePrivateJwk(source.privateJwk, 'the configured signing key'));
  const path = join(source.dir, SIGNING_KEY_FILE);
  const text = await loadOrCreatePrivateFile(
    path,
    async () => `${JSON.stringify(await generatePrivateJwk())}\n`,
    (message) => new InputError(message),
  );
  return fromPrivateJwk(parsePrivateJwk(text, path));
}

/** The JWKS document for /.well-known/jwks.json: public halves only. */
export function jwks(keys: VerificationKey | readonly VerificationKey[]): { keys: PublicJwk[] } {
  return { keys: keyList(keys).map((key) => ({ ...key.publicJwk })) };
}

/** One key or several, as a list. */
export function keyList(keys: VerificationKey | readonly VerificationKey[]): readonly VerificationKey[] {
  return 'kid' in keys ? [keys] : keys;
}
