import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, type SigningKey } from '../../src/auth/keys.js';
import { issueAccessToken, verifyAccessToken } from '../../src/auth/tokens.js';
import { UnauthorizedError } from '../../src/errors.js';
import { b64, decodePart, hmacSigned, publicKeySecrets, unsigned, withFlippedSignature, withPayload } from './support/forge.js';
import { tempDir } from './support/stores.js';

const issuer = 'https://berth.example.org';
const audience = 'berth-api';
const now = new Date('2030-01-01T12:00:00Z');
const user = { id: 'user-1', username: 'alice', roles: ['editor' as const] };

let key: SigningKey;
let otherBerth: SigningKey;
let good: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const mine = tempDir();
  const theirs = tempDir();
  cleanups.push(mine.cleanup, theirs.cleanup);
  key = await loadOrCreateSigningKey({ dir: mine.dir });
  otherBerth = await loadOrCreateSigningKey({ dir: theirs.dir });
  good = await issueAccessToken(key, { user, issuer, audience, now });
});
afterAll(() => cleanups.forEach((cleanup) => cleanup()));

const verify = (token: string, at: Date = now) => verifyAccessToken(token, { keys: key, issuer, audience, now: at });

/** Signs arbitrary claims with a real key, for claims Berth itself would never issue. */
async function signed(signer: SigningKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ username: 'alice', roles: ['editor'], sub: 'user-1', iss: issuer, aud: audience, iat, exp: iat + 900, jti: 'j', ...payload })
    .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'at+jwt', ...header })
    .sign(signer.privateKey);
}

describe('access tokens', () => {
  it('carry sub, username, roles, jti and kid, live 15 minutes and verify to a principal', async () => {
    expect(decodePart(good, 0)).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' });
    const payload = decodePart(good, 1);
    expect(payload).toMatchObject({ sub: 'user-1', username: 'alice', roles: ['editor'], iss: issuer, aud: audience });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(900);
    expect(typeof payload.jti).toBe('string');
    await expect(verify(good)).resolves.toEqual({ userId: 'user-1', username: 'alice', tenant: 'alice', roles: ['editor'], source: 'local' });
  });

  it('allow a few seconds of clock skew, not more', async () => {
    await expect(verify(good, new Date(now.getTime() + 903_000))).resolves.toBeDefined();
    await expect(verify(good, new Date(now.getTime() + 906_000))).rejects.toThrow('expired');
  });
});

describe('forged tokens are all refused with a 401 that does not echo them', () => {
  const cases: [string, () => Promise<string> | string, RegExp][] = [
    ['tampered payload (roles: admin)', () => withPayload(good, (p) => ({ ...p, roles: ['admin'] })), /signature/],
    ['tampered payload (another user)', () => withPayload(good, (p) => ({ ...p, sub: 'user-2', username: 'bob' })), /signature/],
    ['tampered signature', () => withFlippedSignature(good), /signature/],
    ['signature removed', () => good.split('.').slice(0, 2).join('.') + '.', /./],
    ['alg none', () => unsigned(decodePart(good, 0), decodePart(good, 1)), /algorithm|malformed/],
    ['alg None, capitalised', () => unsigned(decodePart(good, 0), decodePart(good, 1), 'None'), /algorithm|malformed/],
    ['alg none with the real signature kept', () => unsigned(decodePart(good, 0), decodePart(good, 1)) + good.split('.')[2], /algorithm|malformed/],
    ['wrong kid', () => signed(key, {}, { kid: 'someone-elses-key' }), /not signed by a key of this server/],
    ['no kid', async () => withoutKid(await signed(key, {})), /not signed by a key of this server/],
    ['wrong issuer', () => issueAccessToken(key, { user, issuer: 'https://evil.example', audience, now }), /iss/],
    ['wrong audience', () => issueAccessToken(key, { user, issuer, audience: 'another-service', now }), /aud/],
    ['expired', () => issueAccessToken(key, { user, issuer, audience, now: new Date(now.getTime() - 3_600_000) }), /expired/],
    ['not yet valid', () => issueAccessToken(key, { user, issuer, audience, now: new Date(now.getTime() + 3_600_000) }), /not valid yet|iat/],
    ['another Berth key, its own kid', () => issueAccessToken(otherBerth, { user, issuer, audience, now }), /not signed by a key of this server/],
    ['another Berth key, our kid', () => signed(otherBerth, {}, { kid: key.kid }), /signature/],
    ['wrong typ (an ID token)', () => signed(key, {}, { typ: 'JWT' }), /typ/],
    ['roles Berth does not know', () => signed(key, { roles: ['root'] }), /claims/],
    ['username that is not a tenant', () => signed(key, { username: '../admin' }), /claims/],
    ['no exp', () => signed(key, { exp: undefined }), /exp|claim/],
    ['garbage', () => 'not-a-token', /malformed|not signed/],
    ['three garbage parts', () => 'a.b.c', /malformed|not signed/],
    ['dots only', () => '..', /malformed|not signed/],
    ['empty', () => '', /missing/],
    ['huge', () => 'a'.repeat(100_000), /too long/],
    ['JSON instead of a token', () => JSON.stringify(decodePart(good, 1)), /malformed|not signed/],
  ];
  for (const [name, make, reason] of cases) {
    it(name, async () => {
      const token = await make();
      const error = await verify(token).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnauthorizedError);
      const message = (error as UnauthorizedError).message;
      expect(message).toMatch(reason);
      if (token.length > 8) expect(message).not.toContain(token.slice(0, 20));
      expect(JSON.stringify((error as UnauthorizedError).details ?? null)).not.toContain(token.slice(0, 20) || '\u0000');
    });
  }

  it('HS256 signed with our public key (every encoding of it) is refused', async () => {
    const secrets = publicKeySecrets({ ...key.publicJwk });
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const secret of secrets) {
      const forged = hmacSigned(decodePart(good, 0), decodePart(good, 1), secret);
      await expect(verify(forged)).rejects.toThrow(/algorithm/);
    }
  });

  it('a token valid for an older key is accepted while that key is still listed, then refused', async () => {
    const old = await issueAccessToken(otherBerth, { user, issuer, audience, now });
    await expect(verifyAccessToken(old, { keys: [key, otherBerth], issuer, audience, now })).resolves.toMatchObject({ userId: 'user-1' });
    await expect(verifyAccessToken(old, { keys: [key], issuer, audience, now })).rejects.toThrow(UnauthorizedError);
  });

  it('measure: verify latency (prints µs per verification)', async () => {
    const tokens = await Promise.all(Array.from({ length: 50 }, () => issueAccessToken(key, { user, issuer, audience, now })));
    for (const token of tokens) await verify(token);
    const rounds = 2000;
    const started = performance.now();
    for (let i = 0; i < rounds; i += 1) await verify(tokens[i % tokens.length] ?? good);
    const perVerifyUs = ((performance.now() - started) * 1000) / rounds;
    const signStarted = performance.now();
    for (let i = 0; i < 500; i += 1) await issueAccessToken(key, { user, issuer, audience, now });
    const perSignUs = ((performance.now() - signStarted) * 1000) / 500;
    console.log(`[measure] verifyAccessToken: ${perVerifyUs.toFixed(0)} µs/token; issueAccessToken: ${perSignUs.toFixed(0)} µs/token (EdDSA)`);
    expect(perVerifyUs).toBeLessThan(5000);
  });
});

function withoutKid(token: string): string {
  const [, payload, signature] = token.split('.');
  return `${b64({ alg: 'EdDSA', typ: 'at+jwt' })}.${payload}.${signature}`;
}
