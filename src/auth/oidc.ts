import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type RemoteJWKSet } from 'jose';
import { z } from 'zod';
import { nameProblem } from '../domain/names.js';
import { ConflictError, UnauthorizedError, UnavailableError } from '../errors.js';
import type { UserStore } from '../ports/store.js';
import { ROLES, type Role, type User } from '../store/types.js';
import { createOutageGate } from './outage-gate.js';
import { principalOf, withEditor, type Principal } from './principal.js';
import { CLOCK_TOLERANCE_SECONDS, describeJoseFailure, MAX_TOKEN_LENGTH } from './tokens.js';

/**
 * Bearer tokens from an external OpenID Connect issuer, verified against the
 * issuer's published keys (fetched with a timeout, cached, refetched when an
 * unknown `kid` appears, at most once per cooldown). Only asymmetric
 * algorithms are accepted: with HMAC allowed, anyone holding the public key
 * could mint tokens (algorithm confusion).
 */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export interface OidcOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Defaults to the `jwks_uri` of the issuer's discovery document. */
  readonly jwksUri?: string;
  /** Bound on each fetch of the discovery document or the key set. */
  readonly timeoutMs: number;
  /** Claim holding Berth role names (dots walk into objects: `realm_access.roles`); absent = roles come from the store. */
  readonly rolesClaim?: string;
  /** Claim holding the username; default `preferred_username`. */
  readonly usernameClaim?: string;
  /** Minimum time between two key-set fetches; default 30 s. */
  readonly cooldownMs?: number;
  /** How long fetched keys are trusted before a refetch; default 10 min. */
  readonly cacheMaxAgeMs?: number;
  /** After the provider fails to answer, refuse at once for this long (doubling per failure, jittered, max 30 s); default 500 ms. */
  readonly outageBackoffMs?: number;
  readonly now?: () => Date;
}

/** A verified external identity, before it is matched to a Berth user. */
export interface OidcIdentity {
  /** `issuer|subject`: stable, unlike usernames or emails. */
  readonly externalId: string;
  readonly username: string;
  readonly email: string;
  /** Roles asserted by the issuer; undefined when no roles claim is configured. */
  readonly roles?: readonly Role[];
}

export interface OidcVerifier {
  readonly issuer: string;
  verify(token: string): Promise<OidcIdentity>;
}

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let body: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new UnavailableError(`identity provider discovery at ${url} failed: ${error instanceof Error ? error.message : 'error'}`);
  }
  const parsed = discoverySchema.safeParse(body);
  if (!parsed.success || parsed.data.issuer !== issuer) {
    throw new UnavailableError(`identity provider discovery at ${url} did not describe issuer ${issuer}`);
  }
  return new URL(parsed.data.jwks_uri);
}

/** Network trouble reaching the key set is the provider's outage (503), not the caller's bad token (401). */
function isKeySetUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? String(error.code) : '';
  return code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_INVALID' || error instanceof TypeError;
}

const claimObject = z.record(z.string(), z.unknown());

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    const object = claimObject.safeParse(value);
    if (!object.success || !Object.hasOwn(object.data, part)) return undefined;
    value = object.data[part];
  }
  return value;
}

function rolesFrom(payload: JWTPayload, claim: string): Role[] {
  const raw = claimAt(payload, claim);
  const names = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
  return ROLES.filter((role) => names.includes(role));
}

function usernameFrom(payload: JWTPayload, claim: string): string {
  const raw = claimAt(payload, claim);
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new UnauthorizedError(`the identity provider's token has no ${claim} claim to use as a Berth username`);
  }
  const username = raw.toLowerCase();
  const problem = nameProblem(username);
  // Not rewritten into something valid: two different people could end up with one tenant.
  if (problem) throw new UnauthorizedError(`the ${claim} ${JSON.stringify(raw.slice(0, 64))} cannot be a Berth username: it ${problem}`);
  return username;
}

function identityFrom(payload: JWTPayload, options: OidcOptions): OidcIdentity {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new UnauthorizedError('token has no subject');
  const email = typeof payload.email === 'string' && payload.email.length <= 254 ? payload.email : '';
  const identity = { externalId: `${options.issuer}|${payload.sub}`, username: usernameFrom(payload, options.usernameClaim ?? 'preferred_username'), email };
  return options.rolesClaim ? { ...identity, roles: rolesFrom(payload, options.rolesClaim) } : identity;
}

const KEYS_UNAVAILABLE = 'the identity provider did not answer for its signing keys in time';

/** Builds a verifier for one external issuer. Nothing is fetched until the first token arrives. */
export function createOidcVerifier(options: OidcOptions): OidcVerifier {
  const gate = createOutageGate({ message: KEYS_UNAVAILABLE, ...(options.outageBackoffMs ? { baseMs: options.outageBackoffMs } : {}) });
  let remote: RemoteJWKSet | undefined;
  const keySet = async (): Promise<RemoteJWKSet> => {
    // With fresh cached keys jose needs no network, so an outage need not refuse the token.
    if (remote?.fresh) return remote;
    gate.check();
    if (remote) return remote;
    try {
      const uri = options.jwksUri ? new URL(options.jwksUri) : await discoverJwksUri(options.issuer, options.timeoutMs);
      remote ??= createRemoteJWKSet(uri, {
        timeoutDuration: options.timeoutMs,
        cooldownDuration: options.cooldownMs ?? 30_000,
        cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
      });
      return remote;
    } catch (error) {
      gate.failed();
      throw error;
    }
  };
  return {
    issuer: options.issuer,
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0) throw new UnauthorizedError('access token missing');
      if (token.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError('access token is too long');
      const keys = await keySet();
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: OIDC_ALGORITHMS,
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          ...(options.now ? { currentDate: options.now() } : {}),
        });
        gate.succeeded();
        return identityFrom(payload, options);
      } catch (error) {
        if (error instanceof UnauthorizedError) throw error;
        if (isKeySetUnavailable(error)) {
          gate.failed();
          throw new UnavailableError(KEYS_UNAVAILABLE);
        }
        throw new UnauthorizedError(describeJoseFailure(error));
      }
    },
  };
}

function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  const left = withEditor(a);
  const right = withEditor(b);
  return left.length === right.length && left.every((role, index) => role === right[index]);
}

/**
 * Email addresses are unique in the store, but an issuer may send none, or one
 * a local account already uses: the user then gets a placeholder address
 * (unique because usernames are) rather than being refused or merged.
 */
export function placeholderEmail(username: string): string {
  return `${username}@users.noreply.berth`;
}

type OidcUsers = Pick<UserStore, 'create' | 'byExternalId' | 'byUsername' | 'setRoles'>;

async function insertOidcUser(users: OidcUsers, identity: OidcIdentity, email: string, now: Date): Promise<User> {
  return users.create({
    id: randomUUID(),
    username: identity.username,
    email,
    externalId: identity.externalId,
    roles: withEditor(identity.roles ?? []),
    createdAt: now.toISOString(),
  });
}

async function createOidcUser(users: OidcUsers, identity: OidcIdentity, now: Date): Promise<User> {
  const email = identity.email || placeholderEmail(identity.username);
  try {
    return await insertOidcUser(users, identity, email, now);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // Two first requests of the same person raced: the other one created the user.
    const existing = await users.byExternalId(identity.externalId);
    if (existing) return existing;
    // Never merged into an existing account of that name: that would hand its apps to whoever the issuer says.
    if (await users.byUsername(identity.username)) {
      throw new UnauthorizedError(`the username ${JSON.stringify(identity.username)} already belongs to another Berth account`);
    }
    if (email === placeholderEmail(identity.username)) throw error;
    return insertOidcUser(users, identity, placeholderEmail(identity.username), now);
  }
}

/**
 * Finds the Berth user of an external identity by `issuer|subject`, creating
 * it on first sight (the store makes the very first user admin, atomically).
 * When the issuer asserts roles, they replace the stored ones.
 */
/** What a removed account's tokens and sign-ins are told. */
export const ACCOUNT_REMOVED = 'this account was removed by an administrator';

export async function resolveOidcUser(users: OidcUsers, identity: OidcIdentity, now: Date): Promise<Principal> {
  let user = (await users.byExternalId(identity.externalId)) ?? (await createOidcUser(users, identity, now));
  if (user.removedAt) throw new UnauthorizedError(ACCOUNT_REMOVED);
  if (identity.roles && !sameRoles(user.roles, identity.roles)) {
    user = (await users.setRoles(user.id, withEditor(identity.roles))) ?? user;
  }
  return principalOf(user, 'oidc');
}
