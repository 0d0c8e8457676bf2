import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { UnauthorizedError } from '../errors.js';
import type { User } from '../store/types.js';
import { keyList, SIGNING_ALG, type SigningKey, type VerificationKey } from './keys.js';
import { roleSchema, usernameSchema, withEditor, type Principal } from './principal.js';

/**
 * Berth's own access tokens: short-lived EdDSA JWTs (`typ: at+jwt`, RFC 9068)
 * with the key id in the header. Verification pins the algorithm, issuer,
 * audience and type, so that none of alg=none, HMAC-with-the-public-key or a
 * token minted for another service is accepted (weak point S6).
 */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const DEFAULT_ACCESS_TTL_SECONDS = 15 * 60;
/** Leeway for clocks of replicas that disagree a little. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Real tokens are ~400 bytes; anything far larger is refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

export interface IssueAccessTokenInput {
  readonly user: Pick<User, 'id' | 'username' | 'roles'>;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds?: number;
  readonly now: Date;
}

/** Signs an access token for `user`: sub = user id, plus username and roles. */
export async function issueAccessToken(key: SigningKey, input: IssueAccessTokenInput): Promise<string> {
  const issuedAt = Math.floor(input.now.getTime() / 1000);
  return new SignJWT({ username: input.user.username, roles: withEditor(input.user.roles) })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setSubject(input.user.id)
    .setIssuer(input.issuer)
    .setAudience(input.audience)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + (input.ttlSeconds ?? DEFAULT_ACCESS_TTL_SECONDS))
    .setJti(randomUUID())
    .sign(key.privateKey);
}

export interface VerifyAccessTokenOptions {
  readonly keys: VerificationKey | readonly VerificationKey[];
  readonly issuer: string;
  readonly audience: string;
  readonly now?: Date;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  username: usernameSchema,
  roles: z.array(roleSchema).max(10),
});

/** The `kid` of a compact JWS, or undefined when the string is not one. Never throws. */
export function tokenKeyId(token: string): string | undefined {
  try {
    const kid = decodeProtectedHeader(token).kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

function toPrincipal(payload: JWTPayload): Principal {
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new UnauthorizedError('access token has invalid claims');
  const { sub, username, roles } = claims.data;
  return { userId: sub, username, tenant: username, roles: withEditor(roles), source: 'local' };
}

/**
 * Verifies one of Berth's access tokens and returns its principal. Every
 * failure is an UnauthorizedError with a short reason that never contains
 * the token itself.
 */
export async function verifyAccessToken(token: string, options: VerifyAccessTokenOptions): Promise<Principal> {
  if (typeof token !== 'string' || token.length === 0) throw new UnauthorizedError('access token missing');
  if (token.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError('access token is too long');
  const kid = tokenKeyId(token);
  const key = keyList(options.keys).find((candidate) => candidate.kid === kid);
  if (!key) throw new UnauthorizedError('access token is not signed by a key of this server');
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [SIGNING_ALG],
      issuer: options.issuer,
      audience: options.audience,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      ...(options.now ? { currentDate: options.now } : {}),
    });
    return toPrincipal(payload);
  } catch (error) {
    if (error instanceof UnauthorizedError) throw error;
    throw new UnauthorizedError(describeJoseFailure(error));
  }
}

/** A reason a person can act on, from jose's stable error codes; nothing from the token itself. */
export function describeJoseFailure(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  const claim = error instanceof Error && 'claim' in error ? String(error.claim) : '';
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'nbf' ? 'token is not valid yet' : `token ${claim || 'claim'} is not accepted`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'token algorithm is not accepted';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'token signature does not verify';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'token is signed by an unknown key';
    default:
      return 'token is malformed';
  }
}
