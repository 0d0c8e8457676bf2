import { serve } from '@hono/node-server';
import type { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Berth's listening socket: the hono app behind Node's HTTP server with the
 * limits a slow or hostile client meets (a prober held a body open at
 * 1 byte/s for 314 s and idle sockets for 74 s before these existed), and
 * the drain SIGTERM starts. src/main.ts and the tests start Berth here.
 */
export interface ServerLimits {
  /** The request line and headers must arrive within this (slowloris). */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. */
  readonly requestTimeoutMs: number;
  /** An idle kept-alive socket is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Connections beyond this are refused at accept (the kernel backlog holds a short burst). */
  readonly maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_000 };

export interface HttpServerOptions {
  readonly fetch: (request: Request) => Response | Promise<Response>;
  readonly port: number;
  readonly hostname: string;
  readonly limits: ServerLimits;
  /** The local runtime's app proxy wraps Node's createServer. */
  readonly createServer?: typeof createServer;
}

export interface BerthHttpServer {
  readonly server: Server;
  readonly port: number;
  readonly draining: () => boolean;
  /**
   * From now on every request (including /readyz) gets 503 with
   * `Connection: close`, so a load balancer stops sending and kept-alive
   * clients reconnect elsewhere. The socket keeps listening (probes must see
   * the 503) until {@link BerthHttpServer.close}.
   */
  startDrain(): void;
  /** Stops listening; resolves when every connection has ended, or after `graceMs` by cutting the rest (SSE streams). */
  close(graceMs: number): Promise<void>;
}

const DRAINING_BODY = JSON.stringify({ error: { code: 'unavailable', message: 'the server is shutting down; retry on another replica or after the restart' } });

/** A 503 that closes the connection: what every request gets once the drain started. */
export function drainingResponse(): Response {
  return new Response(DRAINING_BODY, {
    status: 503,
    headers: { 'Content-Type': 'application/json', Connection: 'close', 'Retry-After': '5', 'Cache-Control': 'no-store' },
  });
}

/** Starts listening; resolves once the port is bound. */
export async function startHttpServer(options: HttpServerOptions): Promise<BerthHttpServer> {
  let draining = false;
  const { limits } = options;
  const fetch = (request: Request) => (draining ? drainingResponse() : options.fetch(request));
  let resolveListening!: (info: AddressInfo) => void;
  const listening = new Promise<AddressInfo>((resolve) => (resolveListening = resolve));
  const server = serve(
    {
      fetch,
      port: options.port,
      hostname: options.hostname,
      serverOptions: {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        // Node checks the two timeouts above on this interval (30 s by default, which would double the body deadline).
        connectionsCheckingInterval: Math.max(250, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
      },
      ...(options.createServer ? { createServer: options.createServer } : {}),
    },
    resolveListening,
  ) as Server;
  server.maxConnections = limits.maxConnections;
  const info = await listening;

  return {
    server,
    port: info.port,
    draining: () => draining,
    startDrain() {
      // Kept-alive sockets are not cut here (a client racing the close would see a reset): their next
      // request gets the 503 and Connection: close; idle ones end at their keep-alive timeout or at close().
      draining = true;
    },
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(force);
    },
  };
}
