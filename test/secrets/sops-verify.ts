import { createDecipheriv, createHash } from 'node:crypto';

import { Decrypter, armor } from 'age-encryption';
import { parse } from 'yaml';
import { z } from 'zod';

/*
 * An independent re-implementation of what `sops --decrypt` checks (sops.go
 * Tree.Decrypt + the MAC comparison Flux's kustomize-controller performs):
 * walk every leaf in document order, path without list indices, decrypt
 * ENC[] values with AAD "<k1>:<k2>:", hash the plaintext bytes of every leaf
 * (encrypted or not) with SHA-512, and compare with the stored MAC decrypted
 * with AAD = lastmodified. Deliberately shares no code with src/secrets; it is
 * first checked against a file written by the real sops CLI.
 */

const sopsBlock = z.object({
  age: z.array(z.object({ recipient: z.string(), enc: z.string() })).min(1),
  lastmodified: z.string(),
  mac: z.string(),
});

const ENC = /^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(.+)\]$/;

export interface VerifiedSops {
  /** Decrypted leaves by colon-joined path (list items share their list's path). */
  readonly values: Map<string, string[]>;
  readonly computedMac: string;
  readonly storedMac: string;
}

function decrypt(value: string, key: Uint8Array, aad: string): Buffer {
  const match = ENC.exec(value);
  if (!match) throw new Error(`not a sops value: ${value}`);
  const [, data = '', iv = '', tag = ''] = match;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
}

function leafBytes(leaf: unknown): Buffer {
  if (typeof leaf === 'string') return Buffer.from(leaf);
  if (typeof leaf === 'boolean') return Buffer.from(leaf ? 'True' : 'False');
  if (typeof leaf === 'number' && Number.isInteger(leaf)) return Buffer.from(String(leaf));
  throw new Error(`verifier does not handle plain leaf ${JSON.stringify(leaf)}`);
}

function* leaves(node: unknown, path: string[]): Generator<[string[], unknown]> {
  if (Array.isArray(node)) {
    for (const item of node) yield* leaves(item, path);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) yield* leaves(value, [...path, key]);
  } else {
    yield [path, node];
  }
}

/** Opens the data key with the identity, decrypts every value and checks the MAC. */
export async function verifySops(text: string, identity: string): Promise<VerifiedSops> {
  const { sops: rawSops, ...tree } = z.record(z.string(), z.unknown()).parse(parse(text));
  const sops = sopsBlock.parse(rawSops);
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  let key: Uint8Array | undefined;
  for (const entry of sops.age) {
    try {
      key = await decrypter.decrypt(armor.decode(entry.enc));
      break;
    } catch {
      // another recipient's entry
    }
  }
  if (!key) throw new Error('no age entry opens with this identity');
  const hash = createHash('sha512');
  const values = new Map<string, string[]>();
  for (const [path, leaf] of leaves(tree, [])) {
    const aad = `${path.join(':')}:`;
    const bytes = typeof leaf === 'string' && leaf.startsWith('ENC[') ? decrypt(leaf, key, aad) : leafBytes(leaf);
    hash.update(bytes);
    values.set(path.join(':'), [...(values.get(path.join(':')) ?? []), bytes.toString('utf8')]);
  }
  const storedMac = decrypt(sops.mac, key, sops.lastmodified).toString('utf8');
  return { values, computedMac: hash.digest('hex').toUpperCase(), storedMac };
}
