import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, exportJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { jwks, loadOrCreateSigningKey, SIGNING_KEY_FILE } from '../../src/auth/keys.js';
import { issueAccessToken, verifyAccessToken } from '../../src/auth/tokens.js';
import { InputError } from '../../src/errors.js';
import { tempDir } from './support/stores.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
function dir(): string {
  const made = tempDir();
  cleanups.push(made.cleanup);
  return made.dir;
}

const user = { id: 'u1', username: 'alice', roles: ['editor' as const] };
const claims = { issuer: 'https://berth.test', audience: 'berth' };

describe('signing key', () => {
  it('is created once in the data dir with mode 0600 and survives a restart (tokens stay valid)', async () => {
    const data = dir();
    const first = await loadOrCreateSigningKey({ dir: data });
    const path = join(data, SIGNING_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const token = await issueAccessToken(first, { user, ...claims, now: new Date() });
    const restarted = await loadOrCreateSigningKey({ dir: data });
    expect(restarted.kid).toBe(first.kid);
    await expect(verifyAccessToken(token, { keys: restarted, ...claims })).resolves.toMatchObject({ userId: 'u1' });
  });

  it('is the same key for replicas starting at the same moment', async () => {
    const data = dir();
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSigningKey({ dir: data })));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
  });

  it('is the same key for separate processes racing to create it', async () => {
    const data = dir();
    const script = `import('${new URL('../../src/auth/keys.ts', import.meta.url).pathname}').then(async (m) => console.log((await m.loadOrCreateSigningKey({ dir: process.argv[1] })).kid))`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, data], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}`))));
      });
    const kids = await Promise.all([run(), run(), run()]);
    expect(new Set(kids).size).toBe(1);
    expect(kids[0]).toBe((await loadOrCreateSigningKey({ dir: data })).kid);
  });

  it('refuses a key file other users can read, without printing the key', async () => {
    const data = dir();
    await loadOrCreateSigningKey({ dir: data });
    const path = join(data, SIGNING_KEY_FILE);
    chmodSync(path, 0o644);
    const secret = JSON.parse(readFileSync(path, 'utf8')).d as string;
    const error = await loadOrCreateSigningKey({ dir: data }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect(String((error as Error).message)).toMatch(/chmod 600/);
    expect(String((error as Error).message)).not.toContain(secret);
  });

  it('can be given by config (object or JSON text); a bad one is refused without echoing it', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    const fromObject = await loadOrCreateSigningKey({ privateJwk: jwk });
    const fromText = await loadOrCreateSigningKey({ privateJwk: JSON.stringify(jwk) });
    expect(fromText.kid).toBe(fromObject.kid);
    const broken = JSON.stringify({ ...jwk, crv: 'P-256' });
    const error = await loadOrCreateSigningKey({ privateJwk: broken }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect(String((error as Error).message)).not.toContain(String(jwk.d));
  });

  it('a corrupt key file stops start-up with the path named', async () => {
    const data = dir();
    writeFileSync(join(data, SIGNING_KEY_FILE), '{"kty":"OKP"', { mode: 0o600 });
    await expect(loadOrCreateSigningKey({ dir: data })).rejects.toThrow(SIGNING_KEY_FILE);
  });

  it('publishes only the public half in the JWKS, with kid, alg and use', async () => {
    const key = await loadOrCreateSigningKey({ dir: dir() });
    const document = jwks(key);
    expect(document.keys).toHaveLength(1);
    expect(document.keys[0]).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: key.kid, alg: 'EdDSA', use: 'sig' });
    expect(JSON.stringify(document)).not.toContain('"d"');
  });
});
