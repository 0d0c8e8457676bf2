import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { assertName } from '../domain/names.js';
import { ConflictError, InputError, UnauthorizedError } from '../errors.js';
import type { RefreshTokenStore, SettingsStore, UserStore } from '../ports/store.js';
import { admitSignup } from './signup-policy.js';
import type { User } from '../store/types.js';
import { jwks, keyList, type PublicJwk, type SigningKey, type VerificationKey } from './keys.js';
import { ACCOUNT_REMOVED, resolveOidcUser, type OidcVerifier } from './oidc.js';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordProblem, verifyPassword } from './passwords.js';
import { principalOf, publicUser, type Principal, type PublicUser } from './principal.js';
import { createRefreshToken, revokeRefreshToken, rotateRefreshToken } from './refresh.js';
import { DEFAULT_ACCESS_TTL_SECONDS, issueAccessToken, tokenKeyId, verifyAccessToken } from './tokens.js';

export interface AuthServiceOptions {
  readonly store: { readonly users: UserStore; readonly refreshTokens: RefreshTokenStore; readonly settings: SettingsStore };
  readonly signingKey: SigningKey;
  /** Keys retired by a rotation whose tokens may still be live (at most one access TTL). */
  readonly previousKeys?: readonly VerificationKey[];
  readonly issuer: string;
  readonly audience: string;
  readonly accessTtlSeconds?: number;
  readonly refreshTtlDays?: number;
  /** External bearer tokens, when OIDC_ISSUER is configured. */
  readonly oidc?: OidcVerifier;
  readonly now?: () => Date;
}

/** What signup, login and refresh hand back; the HTTP layer puts `refreshToken` in the cookie only. */
export interface AuthSession {
  readonly user: PublicUser;
  readonly accessToken: string;
  readonly accessExpiresIn: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: string;
}

export interface AuthService {
  /** Subject to the signup setting (src/auth/signup-policy.ts); `invite` is an admin's invite token. */
  signup(input: { username: string; email: string; password: string; invite?: string | undefined }): Promise<AuthSession>;
  /** An account an admin creates (whatever the signup setting); no session. */
  createAccount(input: { username: string; email: string; password: string }): Promise<PublicUser>;
  login(input: { username: string; password: string }): Promise<AuthSession>;
  /** Rotates the refresh token; reuse of an old one revokes its family. */
  refresh(refreshToken: string): Promise<AuthSession>;
  /** Revokes the refresh token's family; unknown tokens are ignored. */
  logout(refreshToken: string): Promise<void>;
  /** The principal of a bearer token (without the `Bearer ` prefix); UnauthorizedError otherwise. */
  authenticate(token: string): Promise<Principal>;
  jwks(): { keys: PublicJwk[] };
}

const LOGIN_FAILED = 'wrong username or password';
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What is wrong with an email address, or undefined. Only a sanity check: nothing is sent to it. */
export function emailProblem(email: string): string | undefined {
  if (typeof email !== 'string' || email.length === 0) return 'must not be empty';
  if (email.length > 254) return 'must be at most 254 characters';
  if (!EMAIL_SHAPE.test(email)) return 'must look like name@example.org';
  return undefined;
}

function checkSignup(input: { username: string; email: string; password: string }): void {
  assertName('tenant', input.username);
  const emailIssue = emailProblem(input.email);
  if (emailIssue) throw new InputError(`email ${emailIssue}`, { field: 'email' });
  const passwordIssue = passwordProblem(input.password, { username: input.username });
  if (passwordIssue) throw new InputError(`password ${passwordIssue}`, { field: 'password' });
}

/** Local accounts, sessions and bearer verification, over the store's users and refresh tokens. */
export function createAuthService(options: AuthServiceOptions): AuthService {
  const { store, signingKey, issuer, audience } = options;
  const now = options.now ?? (() => new Date());
  const accessTtl = options.accessTtlSeconds ?? DEFAULT_ACCESS_TTL_SECONDS;
  const refreshOptions = { ttlDays: options.refreshTtlDays };
  const verificationKeys = [signingKey, ...(options.previousKeys ?? [])];
  // Unknown usernames are checked against this so that they take as long as wrong passwords.
  const dummyHash = hashPassword(randomBytes(16).toString('hex'));
  dummyHash.catch(() => undefined);

  async function session(user: User, refresh?: { token: string; expiresAt: string }): Promise<AuthSession> {
    const at = now();
    const accessToken = await issueAccessToken(signingKey, { user, issuer, audience, ttlSeconds: accessTtl, now: at });
    const issued = refresh ?? (await createRefreshToken(store, user.id, at, refreshOptions));
    return { user: publicUser(user), accessToken, accessExpiresIn: accessTtl, refreshToken: issued.token, refreshExpiresAt: issued.expiresAt };
  }

  async function createUser(username: string, email: string, password: string): Promise<User> {
    const passwordHash = await hashPassword(password);
    try {
      return await store.users.create({ id: randomUUID(), username, email, passwordHash, roles: ['editor'], createdAt: now().toISOString() });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (await store.users.byUsername(username)) throw new ConflictError(`username ${username} is taken`, { field: 'username' });
      throw new ConflictError('that email address is used by another account', { field: 'email' });
    }
  }

  function isLocalToken(token: string): boolean {
    const kid = tokenKeyId(token);
    if (kid !== undefined && verificationKeys.some((key) => key.kid === kid)) return true;
    try {
      return decodeJwt(token).iss === issuer;
    } catch {
      return false;
    }
  }

  return {
    async signup(input) {
      checkSignup(input);
      const admitted = await admitSignup({ settings: store.settings, countUsers: () => store.users.count() }, input, now());
      const user = await createUser(input.username, input.email.trim(), input.password);
      await admitted(user.id);
      return session(user);
    },
    async createAccount(input) {
      checkSignup(input);
      return publicUser(await createUser(input.username, input.email.trim(), input.password));
    },
    async login(input) {
      const username = typeof input.username === 'string' && input.username.length <= 64 ? input.username : '';
      // No stored password is longer (policy), so a longer one is wrong; it is not hashed at its full length.
      const password = typeof input.password === 'string' && input.password.length <= MAX_PASSWORD_LENGTH * 2 ? input.password : '';
      const user = username ? await store.users.byUsername(username) : undefined;
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
      if (!user?.passwordHash || !password || !ok || user.removedAt) throw new UnauthorizedError(LOGIN_FAILED);
      return session(user);
    },
    async refresh(refreshToken) {
      const rotated = await rotateRefreshToken(store, refreshToken, now(), refreshOptions);
      return session(rotated.user, rotated);
    },
    async logout(refreshToken) {
      await revokeRefreshToken(store, refreshToken, now());
    },
    async authenticate(token) {
      if (typeof token !== 'string' || token.length === 0) throw new UnauthorizedError('access token missing');
      if (isLocalToken(token) || !options.oidc) {
        const claimed = await verifyAccessToken(token, { keys: verificationKeys, issuer, audience, now: now() });
        // The token proves who signed in; the store says what that account is now (roles, removal).
        const user = await store.users.byId(claimed.userId);
        if (!user || user.username !== claimed.username) throw new UnauthorizedError('the account behind this token no longer exists');
        if (user.removedAt) throw new UnauthorizedError(ACCOUNT_REMOVED);
        return principalOf(user, 'local');
      }
      const identity = await options.oidc.verify(token);
      return resolveOidcUser(store.users, identity, now());
    },
    jwks() {
      return jwks(keyList(verificationKeys));
    },
  };
}
