import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { JWK } from 'jose';

/**
 * A real identity provider's key endpoint on 127.0.0.1: serves an OpenID
 * discovery document and a JWKS that tests can swap (key rotation), slow
 * down (timeouts) or break (HTTP 500), and counts the key-set fetches.
 */
export interface JwksServer {
  readonly issuer: string;
  readonly jwksUri: string;
  keys: JWK[];
  /** Delay before answering the JWKS, ms; Infinity = never answer. */
  delayMs: number;
  status: number;
  readonly fetches: () => number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[] = []): Promise<JwksServer> {
  let fetches = 0;
  const sockets = new Set<Socket>();
  const state = { keys, delayMs: 0, status: 200 };
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/openid-configuration') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
      return;
    }
    if (request.url !== '/jwks') {
      response.statusCode = 404;
      response.end();
      return;
    }
    fetches += 1;
    const answer = () => {
      response.statusCode = state.status;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: state.keys }));
    };
    if (state.delayMs === Infinity) return;
    setTimeout(answer, state.delayMs);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return Object.assign(state, {
    issuer: base,
    jwksUri: `${base}/jwks`,
    fetches: () => fetches,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}

/** A port on 127.0.0.1 that nothing listens on (connection refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
