import type { Logger } from 'pino';
import type { Services } from '../services/index.js';
import type { AuthPort } from '../ports/services.js';
import type { Store } from '../ports/store.js';
import type { SystemWarning } from '../gitops/system-warnings.js';
import type { Metrics } from './metrics.js';
import type { RateLimits } from './rate-limit.js';

/**
 * What {@link createApp} is built from: services already built (by
 * src/compose.ts) and the few ports the HTTP layer itself uses. Each router
 * takes a Pick of this, so its signature says what it touches.
 */
export interface HttpDeps {
  readonly services: Services;
  /** The HTTP layer's own uses: the readiness ping, the audit trail, `/me`, webhook records. */
  readonly store: Pick<Store, 'ping' | 'audit' | 'users'>;
  readonly auth: AuthPort;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly rateLimits: RateLimits;
  readonly now: () => Date;
  /** False in embedded mode: nothing reconciles, so `committed` is as far as a deployment gets. */
  readonly clusterConfigured: boolean;
  /** What runs the committed apps; with one, deployments go on past `committed` to ready or failed. */
  readonly runtimeKind?: 'local' | 'kubernetes' | 'none';
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
  /** What `GET /system` reports (e.g. a placeholder runner pin), read on every call. */
  readonly systemWarnings: () => Promise<readonly SystemWarning[]>;
  /** The built web UI (dist/web by default). */
  readonly webDir?: string;
  /** SSE polling interval and heartbeat; tests shorten them. */
  readonly sse?: { readonly pollMs?: number; readonly heartbeatMs?: number };
}
