import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';

/**
 * HMAC-SHA256 check of a webhook body against `<prefix><hex>`, in constant
 * time. Throws UnauthorizedError for a missing secret, header or mismatch,
 * so a forged delivery changes nothing.
 */
export function verifyHmacSignature(secret: string | undefined, body: Uint8Array, header: string | undefined, what: string): void {
  if (!secret) throw new UnauthorizedError(`${what} webhooks are not configured`);
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '');
  if (!match?.[1]) throw new UnauthorizedError(`${what} webhook signature missing or malformed`);
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(match[1], 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthorizedError(`${what} webhook signature does not match`);
  }
}
