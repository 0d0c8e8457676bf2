import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { BerthError, GitUnavailableError } from '../../errors.js';

/** isomorphic-git's `http` plugin, plus a way to drop pooled connections. */
export interface ClosableHttpClient extends HttpClient {
  close(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** The URL as it may appear in messages: never with credentials. */
export function safeUrl(url: string | URL): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

/**
 * isomorphic-git hands request bodies over as an async iterator (fetch) or
 * an array of buffers (push), whatever its types say. Collected so the
 * request carries a Content-Length, which some hosts require.
 */
async function collectBody(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  const take = (chunk: unknown) => {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('request body chunks must be bytes');
    chunks.push(Buffer.from(chunk));
  };
  if (isAsyncIterable(body)) for await (const chunk of body) take(chunk);
  else if (isIterable(body)) for (const chunk of body) take(chunk);
  else throw new TypeError('request body must be bytes or an iterable of bytes');
  return Buffer.concat(chunks);
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function asTransient(error: unknown, what: string): BerthError {
  if (error instanceof BerthError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new GitUnavailableError(`${what} failed: ${reason}`, { url: what });
}

/**
 * An isomorphic-git `http` plugin over node:http/https in which every request
 * times out: no byte for `timeoutMs` (connecting, waiting for headers, or
 * between body chunks) aborts it with a GitUnavailableError. isomorphic-git's own
 * node client has no timeout, so a silent server would hang a writer forever.
 */
export function createHttpClient(timeoutMs: number): ClosableHttpClient {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, hops: number): Promise<GitHttpResponse> {
    const what = `${method} ${safeUrl(url)}`;
    return new Promise((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const sized = body ? { ...headers, 'content-length': String(body.byteLength) } : headers;
      const request = (secure ? https : http).request(url, {
        method,
        headers: sized,
        agent: secure ? agents.https : agents.http,
        timeout: timeoutMs,
      });
      let timedOut = false;
      request.on('timeout', () => {
        timedOut = true;
        request.destroy(new GitUnavailableError(`${what}: no answer within ${timeoutMs} ms`, { url: safeUrl(url), timeoutMs }));
      });
      request.on('error', (error) => reject(asTransient(error, what)));
      request.on('response', (response) => {
        const location = response.headers.location;
        if (REDIRECTS.has(response.statusCode ?? 0) && location && hops < MAX_REDIRECTS && method === 'GET') {
          response.resume();
          const next = new URL(location, url);
          // Credentials stay with the origin they were given for.
          const { authorization: _dropped, ...anonymous } = headers;
          resolve(send(next, method, next.origin === url.origin ? headers : anonymous, body, hops + 1));
          return;
        }
        async function* readBody(): AsyncGenerator<Uint8Array> {
          try {
            for await (const chunk of response) {
              if (chunk instanceof Uint8Array) yield chunk;
            }
          } catch (error) {
            throw timedOut ? new GitUnavailableError(`${what}: stalled for ${timeoutMs} ms`, { url: safeUrl(url) }) : asTransient(error, what);
          }
        }
        resolve({
          url: url.href,
          method,
          statusCode: response.statusCode ?? 0,
          statusMessage: response.statusMessage ?? '',
          headers: flattenHeaders(response.headers),
          body: readBody(),
        });
      });
      request.end(body);
    });
  }

  return {
    async request(options: GitHttpRequest): Promise<GitHttpResponse> {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
      const body = options.body === undefined ? undefined : await collectBody(options.body);
      return send(new URL(options.url), options.method ?? 'GET', headers, body, 0);
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
