import { spawn } from 'node:child_process';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';

/** Options of {@link startGitHttpServer}. */
export interface GitHttpServerOptions {
  /** Folder holding the bare repositories to serve (GIT_PROJECT_ROOT). */
  readonly root: string;
  /** When set, every request needs these HTTP basic credentials. */
  readonly auth?: { readonly username: string; readonly password: string };
  /** Runs before a request reaches git (after authentication): lets a test act in the middle of a push. */
  readonly beforeRelay?: (request: { readonly method: string; readonly url: string }) => Promise<void> | void;
}

/** A running smart-HTTP git server. */
export interface GitHttpServer {
  /** Base URL; a repository `apps.git` under the root is at `${url}/apps.git`. */
  readonly url: string;
  /** `METHOD /path?query` of every request, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

function portOf(server: net.Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on a TCP port');
  return address.port;
}

/** The CGI environment git http-backend reads (RFC 3875), request headers as HTTP_*. */
function cgiEnvironment(request: IncomingMessage, url: URL, options: GitHttpServerOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: options.root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: request.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: request.headers['content-type'] ?? '',
    REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: options.auth?.username ?? 'anonymous',
  };
  if (request.headers['content-length'] !== undefined) env.CONTENT_LENGTH = request.headers['content-length'];
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = value;
  }
  return env;
}

function authorized(request: IncomingMessage, options: GitHttpServerOptions): boolean {
  if (!options.auth) return true;
  const expected = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  return request.headers.authorization === expected;
}

/** Relays one request through `git http-backend`, parsing the CGI response head (with its `Status:` line). */
function relay(request: IncomingMessage, response: ServerResponse, options: GitHttpServerOptions): void {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const backend = spawn('git', ['http-backend'], { env: cgiEnvironment(request, url, options) });
  request.pipe(backend.stdin);
  backend.stdin.on('error', () => undefined);
  let head = Buffer.alloc(0);
  let headDone = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headDone) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? { at: crlf, length: 4 } : lf >= 0 ? { at: lf, length: 2 } : undefined;
    if (!end) return;
    headDone = true;
    let status = 200;
    for (const line of head.subarray(0, end.at).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else if (name) response.setHeader(name, value);
    }
    response.writeHead(status);
    response.write(head.subarray(end.at + end.length));
  });
  backend.on('close', () => {
    if (!headDone) response.writeHead(502);
    response.end();
  });
}

/**
 * A smart-HTTP git server on 127.0.0.1 (a free port) that serves the bare
 * repositories under `root` through `git http-backend` as CGI, so tests run
 * the real protocol end to end. Pushing needs `http.receivepack true` in the
 * repository's config.
 */
export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    if (!authorized(request, options)) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      response.end('authentication required\n');
      return;
    }
    // Hold the body until the hook is done, so the relay sees all of it.
    request.pause();
    Promise.resolve(options.beforeRelay?.({ method: request.method ?? 'GET', url: request.url ?? '/' })).then(
      () => relay(request, response, options),
      (error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      },
    );
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers: a hung Git host. */
export async function startSilentServer(): Promise<{ readonly url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
