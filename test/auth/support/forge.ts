import { createHmac, createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';

/** Hand-made JWTs, the way an attacker would build them: no library in the way. */
export function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'));
}

/** `alg: none`: no signature at all. */
export function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>, alg = 'none'): string {
  return `${b64({ ...header, alg })}.${b64(payload)}.`;
}

/** HMAC-SHA256 with `secret`: the algorithm-confusion attack when the secret is a public key. */
export function hmacSigned(header: Record<string, unknown>, payload: Record<string, unknown>, secret: Buffer | string): string {
  const input = `${b64({ ...header, alg: 'HS256' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Every form of a public key an attacker might try as the HMAC secret. */
export function publicKeySecrets(publicJwk: JWK): (Buffer | string)[] {
  const { kid: _kid, alg: _alg, use: _use, ...bare } = publicJwk;
  const key = createPublicKey({ key: bare, format: 'jwk' });
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  const secrets: (Buffer | string)[] = [pem, pem.trim(), key.export({ type: 'spki', format: 'der' }), JSON.stringify(publicJwk)];
  if (typeof publicJwk.x === 'string') secrets.push(Buffer.from(publicJwk.x, 'base64url'));
  if (typeof publicJwk.n === 'string') secrets.push(Buffer.from(publicJwk.n, 'base64url'));
  return secrets;
}

/** The token with its payload replaced, signature kept. */
export function withPayload(token: string, change: (payload: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64(change(decodePart(token, 1)))}.${signature}`;
}

/** The token with one character of its signature changed. */
export function withFlippedSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const index = Math.floor(signature.length / 2);
  const flipped = signature[index] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, index)}${flipped}${signature.slice(index + 1)}`;
}
