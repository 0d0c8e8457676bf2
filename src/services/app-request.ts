import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { InputError, UnavailableError } from '../errors.js';

/** One request of the test panel, as the API accepts it. */
export interface AppRequest {
  readonly method: string;
  /** Path and query on the app's own host: must start with a single "/". */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly body?: string | undefined;
}

export interface AppAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The body was longer than the cap and was cut. */
  readonly truncated: boolean;
  readonly ms: number;
}

/** Both ways: what the panel sends and what it shows. */
export const APP_REQUEST_MAX_BYTES = 1024 * 1024;
export const APP_REQUEST_TIMEOUT_MS = 10_000;
/** Set by Berth, not by the panel: the request goes to the app's host and nowhere else. */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'te',
  'keep-alive',
  'proxy-authorization',
  'expect',
]);

/**
 * Sends the panel's request to `base` (the app's live URL) and nowhere else:
 * the path is resolved against the app's origin and refused if it would
 * leave it. `via` connects to another address with the app's Host (the local
 * runtime's apps are served by Berth's own port).
 */
export async function sendToApp(
  base: URL,
  input: AppRequest,
  via?: { readonly host: string; readonly port: number },
  timeoutMs = APP_REQUEST_TIMEOUT_MS,
): Promise<AppAnswer> {
  if (!input.path.startsWith('/') || input.path.startsWith('//') || input.path.includes('\\'))
    throw new InputError('path must start with a single "/" (it is sent to the app\'s own host)', { path: input.path });
  const target = new URL(input.path, base);
  if (target.origin !== base.origin) throw new InputError("path must stay on the app's own host", { path: input.path });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) throw new InputError(`header ${name} is set by Berth, not by the test panel`, { header: name });
    headers[name] = value;
  }
  const body = input.body === undefined ? undefined : Buffer.from(input.body, 'utf8');
  if (body && body.length > APP_REQUEST_MAX_BYTES) throw new InputError(`the body is over ${APP_REQUEST_MAX_BYTES} bytes`);
  headers.host = target.host;
  if (body) headers['content-length'] = String(body.length);
  const started = performance.now();
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: via?.host ?? target.hostname,
        port: via?.port ?? (target.port || (target.protocol === 'https:' ? 443 : 80)),
        ...(target.protocol === 'https:' ? { servername: target.hostname } : {}),
        method: input.method,
        path: `${target.pathname}${target.search}`,
        headers,
        agent: false,
        timeout: timeoutMs,
      },
      (res) =>
        void readCapped(res).then(
          ({ text, truncated }) =>
            resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res), body: text, truncated, ms: Math.round((performance.now() - started) * 10) / 10 }),
          reject,
        ),
    );
    const deadline = setTimeout(() => req.destroy(new Error(`the app did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error(`the app did not answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error) => reject(new UnavailableError(`the request to ${target.origin} failed: ${error.message}`)));
    req.end(body);
  });
}

function readCapped(res: IncomingMessage): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    res.on('data', (chunk: Buffer) => {
      if (truncated) return;
      const room = APP_REQUEST_MAX_BYTES - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        truncated = true;
        res.destroy();
        resolve({ text: Buffer.concat(chunks).toString('utf8'), truncated });
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    res.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), truncated }));
    res.on('error', (error) => (truncated ? undefined : reject(new UnavailableError(`reading the app's answer failed: ${error.message}`))));
  });
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
