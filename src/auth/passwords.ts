import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes: scrypt from node:crypto with a random salt per password and
 * the parameters written into the string (`scrypt$N$r$p$salt$hash`, base64url),
 * so that parameters can be raised later without breaking stored hashes.
 * The original platform used PBKDF2 with one static salt (weak point S5).
 */

/** Cost parameters: N = 2^15, r = 8 needs 32 MiB per hash and takes tens of milliseconds. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Bounds on parameters read back from a stored hash, so a corrupt row cannot ask for gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/** Passwords so common that length alone does not make them acceptable. */
const COMMON_PASSWORDS = new Set([
  '1234567890',
  '12345678910',
  '0123456789',
  'password123',
  'password12',
  'password1234',
  'qwertyuiop',
  'letmein123',
  'iloveyou12',
  'administrator',
  'changeme123',
  'welcome123',
  'passw0rd123',
  '1q2w3e4r5t',
  'qwerty12345',
  'abcdefghij',
]);

function scryptAsync(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // The async form runs on libuv's thread pool, so concurrent logins do not block the event loop.
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** NFKC so that the same password typed on two keyboards hashes the same. */
function normalise(password: string): string {
  return password.normalize('NFKC');
}

/** Hashes a password with a fresh random salt; the result carries its own parameters. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scryptAsync(normalise(password), salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(hash: string): ParsedHash | undefined {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,8}$/.test(part) ? Number(part) : NaN));
  if (N === undefined || r === undefined || p === undefined) return undefined;
  const powerOfTwo = Number.isInteger(Math.log2(N));
  if (!powerOfTwo || N < 2 || N > MAX_N || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length !== KEY_LENGTH) return undefined;
  return { params: { N, r, p }, salt, key };
}

/**
 * True when `password` matches `hash`. A malformed hash is simply false:
 * callers answer every failure with the same message.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (!parsed) return false;
  const key = await scryptAsync(normalise(password), parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/** Whether a stored hash uses weaker parameters than today's defaults (rehash after a successful login). */
export function needsRehash(hash: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parseHash(hash);
  if (!parsed) return true;
  return parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p;
}

/**
 * What is wrong with a new password, or undefined when it is acceptable.
 * Length counts code points, so that emoji and accents count once each.
 */
export function passwordProblem(password: string, context: { readonly username?: string } = {}): string | undefined {
  if (typeof password !== 'string') return 'must be a string';
  const length = [...normalise(password)].length;
  if (length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (new Set(password).size < 4) return 'must use more than three different characters';
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return 'is too common';
  if (context.username && lower.includes(context.username.toLowerCase())) return 'must not contain the username';
  return undefined;
}
