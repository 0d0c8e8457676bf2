import type { Principal, PublicUser } from '../auth/principal.js';
import type { CodeProblem } from '../errors.js';

/*
 * What the application services and routes need from the pieces other
 * engineers build (auth, validator, secrets, starters, jobs). Declared here
 * by shape so that src/http and src/services depend on behaviour, not modules;
 * src/compose.ts passes the real implementations.
 */

/** A session as signup and login return it; the refresh token goes only into a cookie. */
export interface Session {
  readonly user: PublicUser;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the refresh token expires (sets the cookie's Max-Age). */
  readonly refreshExpiresAt?: string | Date;
}

export interface AuthPort {
  signup(input: { readonly username: string; readonly email: string; readonly password: string; readonly invite?: string | undefined }): Promise<Session>;
  createAccount(input: { readonly username: string; readonly email: string; readonly password: string }): Promise<Session['user']>;
  login(input: { readonly username: string; readonly password: string }): Promise<Session>;
  /** Rotates: the old token stops working. */
  refresh(refreshToken: string): Promise<{ readonly accessToken: string; readonly refreshToken: string; readonly refreshExpiresAt?: string | Date }>;
  logout(refreshToken: string): Promise<void>;
  /** @throws UnauthorizedError for anything that does not verify. */
  authenticate(bearerToken: string): Promise<Principal>;
  jwks(): unknown;
}

export interface CodeValidatorPort {
  /** `caller` (who asks, and whether for a deploy) lets the validator share its workers fairly. */
  validate(
    files: Readonly<Record<string, string>>,
    entrypoint: string,
    allowedImports?: readonly string[],
    caller?: { readonly user: string; readonly purpose: 'deploy' | 'edit' },
  ): Promise<readonly CodeProblem[]>;
  defaultAllowedImports(): readonly string[];
}

/** Seals draft secret values for storage in the store. */
export interface SecretBoxPort {
  /** `context` binds the sealed value to where it belongs (app and variable): it must match to open. */
  seal(plaintext: string, context: string): string | Promise<string>;
  open(sealed: string, context: string): string | Promise<string>;
}

/** SOPS-encrypts an app's secret env into the `secret.sops.yaml` committed to Git. */
export type SecretManifestEncryptor = (input: {
  readonly name: string;
  readonly namespace: string;
  readonly values: Readonly<Record<string, string>>;
  readonly recipients: readonly string[];
}) => Promise<string> | string;

export type { Starter } from '../starters/index.js';
