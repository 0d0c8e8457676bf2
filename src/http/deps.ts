import type { Logger } from 'pino';
import type { ServiceDeps } from '../services/service-deps.js';
import type { AuthPort } from '../ports/services.js';
import type { Metrics } from './metrics.js';
import type { RateLimits } from './rate-limit.js';

/** What {@link createApp} is built from: ports and services, no globals. */
export interface HttpDeps extends ServiceDeps {
  readonly auth: AuthPort;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly rateLimits: RateLimits;
  readonly http: {
    readonly corsOrigins: readonly string[];
    readonly bodyLimitBytes: number;
    /** Secure cookies (production, https). */
    readonly secureCookies: boolean;
    readonly trustProxy: boolean;
    readonly publicUrl: string;
  };
  readonly webhooks: { readonly githubSecret?: string | undefined; readonly fluxHmacKey?: string | undefined };
  /** Extra readiness checks besides the store ping (e.g. the apps repo is readable). */
  readonly readiness?: readonly { readonly name: string; check(): Promise<void> }[];
  /** SSE polling interval and heartbeat; tests shorten them. */
  readonly sse?: { readonly pollMs?: number; readonly heartbeatMs?: number };
}
