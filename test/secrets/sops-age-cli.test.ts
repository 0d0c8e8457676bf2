import { execFileSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decryptSops } from 'sops-age';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

import { encryptSecretManifest } from '../../src/secrets/sops.js';
import { toolOrSkip } from '../support/tools.js';
import { verifySops } from './sops-verify.js';

/*
 * The Debian `age` CLI (Go, filippo.io/age, the library sops itself links)
 * must open the data key Berth wrapped with the age-encryption npm package.
 */

const haveAge = toolOrSkip('age', ['--version']) && toolOrSkip('age-keygen', ['--version']);

const encrypted = z.object({
  stringData: z.record(z.string(), z.string()),
  sops: z.object({ age: z.array(z.object({ recipient: z.string(), enc: z.string() })).min(1) }),
});

const ENC = /^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:str\]$/;

describe.skipIf(!haveAge)('sops files and the age CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-age-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function keygen(name: string): { keyFile: string; identity: string; recipient: string } {
    const keyFile = join(dir, name);
    execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore', timeout: 10_000 });
    const text = readFileSync(keyFile, 'utf8');
    const identity = text.split('\n').find((line) => line.startsWith('AGE-SECRET-KEY-1')) ?? '';
    const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8', timeout: 10_000 }).trim();
    return { keyFile, identity, recipient };
  }

  it('age -d opens the data key, and that key decrypts a value', async () => {
    const key = keygen('key.txt');
    const value = 'mongodb://user:p@ss---w"rd@db:27017/user_acme?\nnext line ✓';
    const text = await encryptSecretManifest({
      name: 'web-env',
      namespace: 'berth-acme',
      values: { MONGODB_URI: value },
      recipients: [key.recipient],
    });
    const doc = encrypted.parse(parse(text));
    const encFile = join(dir, 'data-key.age');
    writeFileSync(encFile, doc.sops.age[0]?.enc ?? '');
    const dataKey = execFileSync('age', ['-d', '-i', key.keyFile, encFile], { timeout: 10_000 });
    expect(dataKey).toHaveLength(32);

    const [, data = '', iv = '', tag = ''] = ENC.exec(doc.stringData.MONGODB_URI ?? '') ?? [];
    const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from('stringData:MONGODB_URI:'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    expect(plain).toBe(value);
  });

  it('a key made by age-keygen round-trips through sops-age and passes the MAC check', async () => {
    const key = keygen('second.txt');
    const text = await encryptSecretManifest({
      name: 'api-env',
      namespace: 'berth-acme',
      values: { TOKEN: 'abc', EMPTY: '' },
      recipients: [key.recipient],
    });
    const decrypted = encrypted.pick({ stringData: true }).parse(await decryptSops(text, { secretKey: key.identity, fileType: 'yaml' }));
    expect(decrypted.stringData).toEqual({ TOKEN: 'abc', EMPTY: '' });
    const verified = await verifySops(text, key.identity);
    expect(verified.storedMac).toBe(verified.computedMac);
  });

  it('age -d with a different key fails', async () => {
    const key = keygen('third.txt');
    const other = keygen('other.txt');
    const text = await encryptSecretManifest({
      name: 'web-env',
      namespace: 'berth-acme',
      values: { A: 'b' },
      recipients: [key.recipient],
    });
    const encFile = join(dir, 'other.age');
    writeFileSync(encFile, encrypted.parse(parse(text)).sops.age[0]?.enc ?? '');
    expect(() => execFileSync('age', ['-d', '-i', other.keyFile, encFile], { stdio: 'pipe', timeout: 10_000 })).toThrow();
  });
});
