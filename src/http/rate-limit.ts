import { RateLimitError } from '../errors.js';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export interface TokenBucketOptions {
  /** Burst size. */
  readonly capacity: number;
  /** Tokens added per minute (steady rate). */
  readonly perMinute: number;
  /** Buckets kept before idle ones are dropped (bounds memory under key floods). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/**
 * In-memory token buckets keyed by IP, username or user id. Per process:
 * with several replicas each enforces its own share, which is what a
 * brute-force guard needs (no store round trip on the hot path).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: TokenBucketOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  /** Takes one token or throws RateLimitError with the seconds until one is back. */
  take(key: string): void {
    const now = this.now();
    const refillPerMs = this.options.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.options.capacity, updatedMs: now };
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + (now - bucket.updatedMs) * refillPerMs);
    bucket.updatedMs = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      throw new RateLimitError(Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
    }
    bucket.tokens -= 1;
    this.buckets.delete(key); // re-insert: Map order doubles as least-recently-used order
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.evict();
  }

  private evict(): void {
    for (const key of this.buckets.keys()) {
      this.buckets.delete(key);
      if (this.buckets.size <= this.maxKeys * 0.9) return;
    }
  }
}

/** The rate limits the routes use. */
export interface RateLimits {
  readonly authByIp: TokenBuckets;
  readonly authByUsername: TokenBuckets;
  readonly deployByUser: TokenBuckets;
  /** POST /validate: the editor calls it on every pause in typing. */
  readonly validateByUser: TokenBuckets;
}

export function createRateLimits(options: {
  readonly authPerMinute: number;
  readonly deployPerMinute: number;
  readonly validatePerMinute: number;
}): RateLimits {
  return {
    authByIp: new TokenBuckets({ capacity: options.authPerMinute, perMinute: options.authPerMinute }),
    // Per username, tighter: guessing one account's password is the attack to stop.
    authByUsername: new TokenBuckets({
      capacity: Math.max(1, Math.ceil(options.authPerMinute / 2)),
      perMinute: Math.max(1, Math.ceil(options.authPerMinute / 2)),
    }),
    deployByUser: new TokenBuckets({ capacity: options.deployPerMinute, perMinute: options.deployPerMinute }),
    // A burst of a quarter minute's worth, then the steady rate.
    validateByUser: new TokenBuckets({ capacity: Math.max(1, Math.ceil(options.validatePerMinute / 4)), perMinute: options.validatePerMinute }),
  };
}
