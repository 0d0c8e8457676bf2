import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one watch request gets: some events, then the stream closes, stays open, or the request is answered 410. */
export type WatchScript = { readonly events: readonly unknown[]; readonly then: 'close' | 'hold' } | { readonly status: 410 };

/**
 * A local HTTP server on 127.0.0.1 answering the Kubernetes API paths Berth
 * calls, with fixture objects: GETs and lists as JSON, watches as
 * newline-delimited events, pod logs (and `follow=true` streams that stay
 * open for lines the test pushes). Every request is recorded.
 */
export async function startKubeApiServer(routes: Record<string, unknown>) {
  const requests: string[] = [];
  const watchScripts: WatchScript[] = [];
  const followers = new Set<ServerResponse>();
  const hanging = new Set<string>();
  const open = new Set<ServerResponse>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    open.add(res);
    res.on('close', () => open.delete(res));
    if (hanging.has(url.pathname)) return; // never answers: the client's timeout must end it
    if (url.searchParams.get('watch') === 'true') return watch(res);
    if (url.pathname.endsWith('/log') && url.searchParams.get('follow') === 'true') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(String(routes[url.pathname] ?? ''));
      followers.add(res);
      res.on('close', () => followers.delete(res));
      return;
    }
    const body = routes[url.pathname];
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `${url.pathname} not found`, reason: 'NotFound', code: 404 }));
      return;
    }
    res.writeHead(200, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });

  function watch(res: ServerResponse): void {
    const script = watchScripts.shift() ?? { events: [], then: 'hold' as const };
    if ('status' in script) {
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    for (const event of script.events) res.write(`${JSON.stringify(event)}\n`);
    if (script.then === 'close') res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    routes,
    watchScripts,
    hanging,
    /** A line for every open `logs?follow=true` stream. */
    pushLog(line: string) {
      for (const res of followers) res.write(`${line}\n`);
    },
    followerCount: () => followers.size,
    async close() {
      for (const res of open) res.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
