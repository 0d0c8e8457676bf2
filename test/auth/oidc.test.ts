import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOidcVerifier, resolveOidcUser, type OidcOptions } from '../../src/auth/oidc.js';
import { UnauthorizedError, UnavailableError } from '../../src/errors.js';
import { decodePart, hmacSigned, publicKeySecrets, unsigned, withFlippedSignature } from './support/forge.js';
import { closedPort, startJwksServer, type JwksServer } from './support/jwks-server.js';
import { openTestStore } from './support/stores.js';

interface ProviderKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function providerKey(kid: string, alg: 'RS256' | 'ES256'): Promise<ProviderKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const audience = 'berth';
let idp: JwksServer;
let keyA: ProviderKey;
let keyB: ProviderKey;
let stranger: ProviderKey;

beforeAll(async () => {
  [keyA, keyB, stranger] = await Promise.all([providerKey('key-a', 'RS256'), providerKey('key-b', 'ES256'), providerKey('key-a', 'RS256')]);
});
afterEach(async () => idp?.close());

async function provider(keys: ProviderKey[] = [keyA]): Promise<JwksServer> {
  idp = await startJwksServer(keys.map((key) => key.publicJwk));
  return idp;
}

function verifier(overrides: Partial<OidcOptions> = {}) {
  return createOidcVerifier({ issuer: idp.issuer, audience, timeoutMs: 500, cooldownMs: 0, ...overrides });
}

async function idToken(key: ProviderKey, claims: Record<string, unknown> = {}, lifetime = 300): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ preferred_username: 'carol', email: 'carol@example.org', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(String(claims.iss ?? idp.issuer))
    .setAudience(String(claims.aud ?? audience))
    .setSubject('subject-123')
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetime)
    .sign(key.privateKey);
}

describe('OIDC bearer tokens against a real JWKS server', () => {
  it('verify through discovery and map claims to an identity', async () => {
    await provider();
    const identity = await verifier().verify(await idToken(keyA));
    expect(identity).toEqual({ externalId: `${idp.issuer}|subject-123`, username: 'carol', email: 'carol@example.org' });
    expect(idp.fetches()).toBe(1);
  });

  it('cache the keys: a hundred verifications fetch the key set once', async () => {
    await provider();
    const check = verifier({ jwksUri: idp.jwksUri, cooldownMs: 30_000 });
    const token = await idToken(keyA);
    for (let i = 0; i < 100; i += 1) await check.verify(token);
    expect(idp.fetches()).toBe(1);
  });

  it('follow a key rotation: an unknown kid refetches the key set', async () => {
    await provider([keyA]);
    const check = verifier({ jwksUri: idp.jwksUri });
    await check.verify(await idToken(keyA));
    idp.keys = [keyB.publicJwk];
    await expect(check.verify(await idToken(keyB, { preferred_username: 'dave' }))).resolves.toMatchObject({ username: 'dave' });
    expect(idp.fetches()).toBe(2);
  });

  it('refetch at most once per cooldown however many unknown kids arrive', async () => {
    await provider([keyA]);
    const check = verifier({ jwksUri: idp.jwksUri, cooldownMs: 60_000 });
    await check.verify(await idToken(keyA));
    const unknown = await idToken({ ...keyB, kid: 'made-up' });
    for (let i = 0; i < 20; i += 1) await expect(check.verify(unknown)).rejects.toThrow(UnauthorizedError);
    expect(idp.fetches()).toBeLessThanOrEqual(2);
  });

  it('an unreachable key set (connection refused) is a 503, quickly', async () => {
    await provider();
    const port = await closedPort();
    const check = verifier({ jwksUri: `http://127.0.0.1:${port}/jwks` });
    const started = Date.now();
    await expect(check.verify(await idToken(keyA))).rejects.toThrow(UnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a key set that never answers is a 503 within the timeout', async () => {
    await provider();
    idp.delayMs = Infinity;
    const check = verifier({ jwksUri: idp.jwksUri, timeoutMs: 300 });
    const started = Date.now();
    await expect(check.verify(await idToken(keyA))).rejects.toThrow(UnavailableError);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
  });

  it('an unreachable discovery endpoint is a 503', async () => {
    const port = await closedPort();
    await provider();
    const check = createOidcVerifier({ issuer: `http://127.0.0.1:${port}`, audience, timeoutMs: 300 });
    await expect(check.verify(await idToken(keyA))).rejects.toThrow(UnavailableError);
  });

  it('after an outage, requests are refused at once instead of each waiting for the timeout; retried after a backoff', async () => {
    await provider();
    idp.delayMs = Infinity;
    const check = verifier({ jwksUri: idp.jwksUri, timeoutMs: 300, outageBackoffMs: 400 });
    const token = await idToken(keyA);
    await expect(check.verify(token)).rejects.toThrow(UnavailableError);
    // Refused at once: none of these reaches the key set (each would otherwise wait out the 300 ms timeout).
    for (let i = 0; i < 10; i += 1) await expect(check.verify(token)).rejects.toThrow(UnavailableError);
    expect(idp.fetches()).toBe(1);
    idp.delayMs = 0;
    // Retried once the backoff has passed: calls keep being refused without a fetch until then.
    const deadline = Date.now() + 5_000;
    let verified: unknown;
    while (verified === undefined && Date.now() < deadline) {
      verified = await check.verify(token).catch((err: unknown) => {
        if (!(err instanceof UnavailableError)) throw err;
        return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20));
      });
    }
    expect(verified).toMatchObject({ username: 'carol' });
    expect(idp.fetches()).toBe(2);
  });

  it('a key set answering HTTP 500 is a 503', async () => {
    await provider();
    idp.status = 500;
    await expect(verifier({ jwksUri: idp.jwksUri }).verify(await idToken(keyA))).rejects.toThrow(UnavailableError);
  });

  describe('refused with a 401', () => {
    const cases: [string, () => Promise<string>, RegExp][] = [
      ['wrong issuer', () => idToken(keyA, { iss: 'https://evil.example' }), /iss/],
      ['wrong audience', () => idToken(keyA, { aud: 'another-app' }), /aud/],
      ['expired', () => idToken(keyA, {}, -120), /expired/],
      ['alg none', async () => unsigned(decodePart(await idToken(keyA), 0), decodePart(await idToken(keyA), 1)), /algorithm|malformed/],
      ['tampered signature', async () => withFlippedSignature(await idToken(keyA)), /signature/],
      ['signed by another key with the same kid', () => idToken(stranger), /signature/],
      ['signed by a key the issuer never published', () => idToken({ ...stranger, kid: 'not-published' }), /unknown key/],
      ['username that is not a DNS label', () => idToken(keyA, { preferred_username: 'carol.smith@corp' }), /cannot be a Berth username/],
      ['username with "--"', () => idToken(keyA, { preferred_username: 'a--b' }), /cannot be a Berth username/],
      ['no username claim', () => idToken(keyA, { preferred_username: undefined }), /no preferred_username claim/],
      ['garbage', async () => 'garbage', /malformed/],
    ];
    for (const [name, make, reason] of cases) {
      it(name, async () => {
        await provider();
        const token = await make();
        const error = await verifier()
          .verify(token)
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(UnauthorizedError);
        expect((error as Error).message).toMatch(reason);
        expect((error as Error).message).not.toContain(token.slice(0, 30));
      });
    }

    it('HS256 signed with the provider public key (algorithm confusion)', async () => {
      await provider();
      const check = verifier();
      const real = await idToken(keyA);
      for (const secret of publicKeySecrets(keyA.publicJwk)) {
        await expect(check.verify(hmacSigned(decodePart(real, 0), decodePart(real, 1), secret))).rejects.toThrow(/algorithm/);
      }
    });
  });

  it('roles come from a configured claim (nested paths too), unknown names dropped', async () => {
    await provider();
    const check = verifier({ rolesClaim: 'realm_access.roles' });
    const identity = await check.verify(await idToken(keyA, { realm_access: { roles: ['reviewer', 'superuser', 'offline_access'] } }));
    expect(identity.roles).toEqual(['reviewer']);
    const username = verifier({ usernameClaim: 'nickname' });
    await expect(username.verify(await idToken(keyA, { nickname: 'Erin' }))).resolves.toMatchObject({ username: 'erin' });
  });
});

describe('OIDC users in the store', () => {
  let opened: ReturnType<typeof openTestStore>;
  beforeAll(() => {
    opened = openTestStore();
  });
  afterAll(async () => opened.cleanup());
  const now = new Date('2030-01-01T00:00:00Z');

  it('are created on first sight (the first user is admin) and found again by issuer|subject', async () => {
    const identity = { externalId: 'https://idp|sub-1', username: 'frank', email: 'f@example.org' };
    const first = await resolveOidcUser(opened.store.users, identity, now);
    expect(first).toMatchObject({ username: 'frank', tenant: 'frank', source: 'oidc' });
    expect(first.roles).toContain('admin');
    const again = await resolveOidcUser(opened.store.users, { ...identity, username: 'frank' }, now);
    expect(again.userId).toBe(first.userId);
    expect(await opened.store.users.count()).toBe(1);
  });

  it('concurrent first requests of one person create one user', async () => {
    const identity = { externalId: 'https://idp|sub-2', username: 'grace', email: '' };
    const principals = await Promise.all(Array.from({ length: 5 }, () => resolveOidcUser(opened.store.users, identity, now)));
    expect(new Set(principals.map((p) => p.userId)).size).toBe(1);
  });

  it('never take over an existing account with the same username', async () => {
    const local = await opened.store.users.create({
      id: 'local-heidi',
      username: 'heidi',
      email: 'h@example.org',
      passwordHash: 'x',
      roles: ['editor'],
      createdAt: now.toISOString(),
    });
    const error = await resolveOidcUser(opened.store.users, { externalId: 'https://idp|sub-3', username: 'heidi', email: '' }, now).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toMatch(/already belongs to another Berth account/);
    expect((await opened.store.users.byUsername('heidi'))?.id).toBe(local.id);
  });

  it('a missing email, or one a local account uses, becomes a placeholder address instead of a refusal', async () => {
    const judy = await resolveOidcUser(opened.store.users, { externalId: 'https://idp|sub-5', username: 'judy', email: 'H@example.org' }, now);
    expect((await opened.store.users.byId(judy.userId))?.email).toBe('judy@users.noreply.berth');
    expect((await opened.store.users.byUsername('heidi'))?.email).toBe('h@example.org');
  });

  it('roles asserted by the issuer replace the stored ones', async () => {
    const identity = { externalId: 'https://idp|sub-4', username: 'ivan', email: '' };
    expect((await resolveOidcUser(opened.store.users, { ...identity, roles: ['operator'] }, now)).roles).toEqual(['editor', 'operator']);
    expect((await resolveOidcUser(opened.store.users, { ...identity, roles: [] }, now)).roles).toEqual(['editor']);
    expect((await opened.store.users.byExternalId(identity.externalId))?.roles).toEqual(['editor']);
  });
});
