import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, type SigningKey } from '../../src/auth/keys.js';
import { createOidcVerifier } from '../../src/auth/oidc.js';
import { createAuthService, type AuthService } from '../../src/auth/service.js';
import { ConflictError, InputError, UnauthorizedError, UnavailableError } from '../../src/errors.js';
import { closedPort, startJwksServer } from './support/jwks-server.js';
import { openTestStore, tempDir } from './support/stores.js';

const issuer = 'https://berth.test';
const audience = 'berth';
let key: SigningKey;
let opened: ReturnType<typeof openTestStore>;
let auth: AuthService;
let clock: Date;

beforeAll(async () => {
  const dir = tempDir();
  key = await loadOrCreateSigningKey({ dir: dir.dir });
  dir.cleanup();
});
beforeEach(() => {
  opened = openTestStore();
  clock = new Date();
  auth = createAuthService({ store: opened.store, signingKey: key, issuer, audience, now: () => clock });
});
afterEach(async () => opened.cleanup());

const signup = (username: string, password = 'a good passphrase') => auth.signup({ username, email: `${username}@example.org`, password });

describe('signup', () => {
  it('the first user becomes admin, the next ones editors', async () => {
    const first = await signup('alice');
    expect(first.user.roles).toEqual(['editor', 'admin']);
    expect(first.accessExpiresIn).toBe(900);
    const second = await signup('bob');
    expect(second.user.roles).toEqual(['editor']);
    expect(await auth.authenticate(second.accessToken)).toEqual({ userId: second.user.id, username: 'bob', tenant: 'bob', roles: ['editor'], source: 'local' });
    expect(JSON.stringify(first)).not.toContain('scrypt');
  });

  it('five concurrent signups on an empty store make exactly one admin', async () => {
    const sessions = await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5'].map((name) => signup(name)));
    expect(sessions.filter((session) => session.user.roles.includes('admin'))).toHaveLength(1);
  });

  it('validates the username as a tenant, the email and the password, storing nothing when refused', async () => {
    for (const username of ['Alice', 'a--b', '-x', 'x'.repeat(31), '', '../etc', 'ali ce']) {
      await expect(signup(username)).rejects.toBeInstanceOf(InputError);
    }
    await expect(auth.signup({ username: 'carol', email: 'not-an-email', password: 'a good passphrase' })).rejects.toThrow(/email/);
    await expect(signup('carol', 'short')).rejects.toThrow(/password must be at least 10/);
    await expect(signup('carol', 'carol-rocks-forever')).rejects.toThrow(/username/);
    expect(await opened.store.users.count()).toBe(0);
  });

  it('a taken username or email is a conflict that says which', async () => {
    await signup('alice');
    await expect(signup('alice')).rejects.toThrow(ConflictError);
    await expect(signup('alice')).rejects.toThrow(/username alice is taken/);
    await expect(auth.signup({ username: 'alice2', email: 'ALICE@example.org', password: 'a good passphrase' })).rejects.toThrow(/email/);
  });
});

describe('login', () => {
  beforeEach(async () => {
    await signup('alice', 'correct horse battery');
  });

  it('returns a session for the right password', async () => {
    const session = await auth.login({ username: 'alice', password: 'correct horse battery' });
    expect((await auth.authenticate(session.accessToken)).username).toBe('alice');
  });

  it('answers an unknown user and a wrong password with the same message, in similar time', async () => {
    const time = async (username: string) => {
      const started = performance.now();
      const error = await auth.login({ username, password: 'wrong password!' }).catch((caught: unknown) => caught);
      return { ms: performance.now() - started, message: (error as Error).message, isAuth: error instanceof UnauthorizedError };
    };
    await time('nobody');
    const samples = { known: [] as number[], unknown: [] as number[] };
    let messages = new Set<string>();
    for (let i = 0; i < 4; i += 1) {
      const known = await time('alice');
      const unknown = await time('nobody');
      expect(known.isAuth && unknown.isAuth).toBe(true);
      samples.known.push(known.ms);
      samples.unknown.push(unknown.ms);
      messages = new Set([...messages, known.message, unknown.message]);
    }
    expect([...messages]).toEqual(['wrong username or password']);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    console.log(
      `[measure] failed login: known user ${median(samples.known).toFixed(0)} ms, unknown user ${median(samples.unknown).toFixed(0)} ms (median of 4)`,
    );
    // Both pay one scrypt: an unknown user is not answered measurably faster.
    expect(median(samples.unknown)).toBeGreaterThan(median(samples.known) * 0.4);
  });

  it('refuses absurd inputs with the same 401', async () => {
    for (const input of [
      { username: '', password: '' },
      { username: 'alice', password: 'x'.repeat(100_000) },
      { username: 'a'.repeat(1000), password: 'correct horse battery' },
    ]) {
      await expect(auth.login(input)).rejects.toThrow('wrong username or password');
    }
  });
});

describe('sessions', () => {
  it('refresh rotates and carries the current roles; logout ends the session', async () => {
    const session = await signup('alice');
    await signup('bob');
    await opened.store.users.setRoles(session.user.id, ['editor', 'admin', 'reviewer']);
    const refreshed = await auth.refresh(session.refreshToken);
    expect(refreshed.refreshToken).not.toBe(session.refreshToken);
    expect((await auth.authenticate(refreshed.accessToken)).roles).toEqual(['editor', 'reviewer', 'admin']);
    await expect(auth.refresh(session.refreshToken)).rejects.toThrow(UnauthorizedError);
    await expect(auth.refresh(refreshed.refreshToken)).rejects.toThrow(UnauthorizedError);
    const again = await auth.login({ username: 'alice', password: 'a good passphrase' });
    await auth.logout(again.refreshToken);
    await expect(auth.refresh(again.refreshToken)).rejects.toThrow(UnauthorizedError);
  });

  it('access tokens expire after 15 minutes', async () => {
    const session = await signup('alice');
    clock = new Date(clock.getTime() + 16 * 60_000);
    await expect(auth.authenticate(session.accessToken)).rejects.toThrow(/expired/);
  });

  it('tokens survive a restart with the same data dir (the original logged everybody out)', async () => {
    const session = await signup('alice');
    const restarted = createAuthService({ store: opened.store, signingKey: key, issuer, audience });
    await expect(restarted.authenticate(session.accessToken)).resolves.toMatchObject({ username: 'alice' });
    expect(restarted.jwks().keys[0]?.kid).toBe(key.kid);
  });
});

describe('authenticate with OIDC configured', () => {
  it('takes local tokens locally and the issuer tokens through its JWKS', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const idp = await startJwksServer([{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256' }]);
    try {
      const oidc = createOidcVerifier({ issuer: idp.issuer, audience: 'berth-oidc', timeoutMs: 500 });
      const both = createAuthService({ store: opened.store, signingKey: key, issuer, audience, oidc });
      const local = await both.signup({ username: 'alice', email: 'a@example.org', password: 'a good passphrase' });
      await expect(both.authenticate(local.accessToken)).resolves.toMatchObject({ source: 'local', username: 'alice' });
      const external = await new SignJWT({ preferred_username: 'olga' })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setIssuer(idp.issuer)
        .setAudience('berth-oidc')
        .setSubject('olga-sub')
        .setExpirationTime('5m')
        .sign(privateKey);
      const principal = await both.authenticate(external);
      expect(principal).toMatchObject({ source: 'oidc', username: 'olga', tenant: 'olga', roles: ['editor'] });
      expect((await opened.store.users.byExternalId(`${idp.issuer}|olga-sub`))?.id).toBe(principal.userId);
      // A Berth-looking token with a wrong signature never falls through to OIDC.
      const forged = local.accessToken.slice(0, -4) + 'AAAA';
      await expect(both.authenticate(forged)).rejects.toThrow(UnauthorizedError);
    } finally {
      await idp.close();
    }
  });

  it('an identity provider that is down does not stop local tokens', async () => {
    const port = await closedPort();
    const oidc = createOidcVerifier({ issuer: `http://127.0.0.1:${port}`, audience: 'x', timeoutMs: 300 });
    const both = createAuthService({ store: opened.store, signingKey: key, issuer, audience, oidc });
    const local = await both.signup({ username: 'alice', email: 'a@example.org', password: 'a good passphrase' });
    await expect(both.authenticate(local.accessToken)).resolves.toMatchObject({ username: 'alice' });
    const { privateKey } = await generateKeyPair('ES256');
    const external = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setIssuer('elsewhere').sign(privateKey);
    await expect(both.authenticate(external)).rejects.toThrow(UnavailableError);
  });
});
