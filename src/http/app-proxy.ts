import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { REFRESH_COOKIE } from '../auth/cookies.js';
import { isValidName, type AppRef } from '../domain/names.js';

/*
 * Berth serves locally run apps on its own port, by Host:
 * `<app>--<tenant>.<APP_DOMAIN>` goes to that app's runner process. This
 * sits in front of the hono app (not inside it), so none of Berth's
 * middleware touches app traffic: no CSP or other Berth headers on the app's
 * responses, no body limit, no JSON error pages, and the bodies stream
 * both ways.
 */

/** Where the proxy sends an app's requests: the local runtime. */
export interface ProxyTargets {
  proxyTarget(app: AppRef, waitMs: number): Promise<{ port: number } | { state: 'asleep' | 'failed' | 'absent'; message: string }>;
}

export interface AppProxyOptions {
  readonly appDomain: string;
  readonly targets: ProxyTargets;
  /** Issuer of Berth's access tokens: such a bearer token is stripped, an app's own Authorization is not. */
  readonly issuer: string;
  /** How long an idle app may take to start, and a request to answer (until its first byte, then between bytes). */
  readonly startWaitMs?: number;
  readonly idleTimeoutMs?: number;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
/** Keep-alive to the runners (uvicorn closes idle connections after 5 s, so the pool lets go first). */
const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

/** The app a Host names, or undefined when it is not an app host under `appDomain`. */
export function parseAppHost(host: string | undefined, appDomain: string): AppRef | undefined {
  const name = (host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const suffix = `.${appDomain}`;
  if (!name.endsWith(suffix)) return undefined;
  const match = /^([a-z0-9-]+?)--([a-z0-9-]+)$/.exec(name.slice(0, -suffix.length));
  if (!match?.[1] || !match[2] || !isValidName(match[1]) || !isValidName(match[2])) return undefined;
  return { tenant: match[2], app: match[1] };
}

/** Whether a Host is under the app domain at all (an unknown app gets the proxy's 404, not Berth's API). */
export function isAppDomainHost(host: string | undefined, appDomain: string): boolean {
  return (host ?? '').toLowerCase().replace(/:\d+$/, '').endsWith(`.${appDomain}`);
}

/** `createServer` for @hono/node-server's serve(): app hosts go to the proxy, everything else to Berth. */
export function withAppProxy(options: AppProxyOptions): typeof createServer {
  const proxy = createAppProxy(options);
  const wrapped = (serverOptions: ServerOptions, listener: RequestListener) =>
    createServer(serverOptions, (req, res) => {
      if (isAppDomainHost(req.headers.host, options.appDomain)) void proxy(req, res);
      else listener(req, res);
    });
  return wrapped as typeof createServer;
}

/** The proxy's request handler. */
export function createAppProxy(options: AppProxyOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const startWaitMs = options.startWaitMs ?? 30_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;

  return async (req, res) => {
    const ref = parseAppHost(req.headers.host, options.appDomain);
    if (!ref) return page(res, 404, 'No such app', 'This address names no app.');
    const headers = forwardHeaders(req, options.issuer);
    // A request without a body can be sent again when the process it went to was just replaced.
    const bodyless = (req.headers['content-length'] === undefined || req.headers['content-length'] === '0') && req.headers['transfer-encoding'] === undefined;
    for (let attempt = 0; ; attempt++) {
      const target = await options.targets.proxyTarget(ref, startWaitMs);
      if (!('port' in target)) {
        if (target.state === 'asleep')
          return page(res, 503, `${ref.app} is asleep`, `The app ${ref.tenant}/${ref.app} is asleep. Its owner can wake it in Berth.`, { 'retry-after': '30' });
        if (target.state === 'absent') return page(res, 404, 'No such app', `${ref.tenant}/${ref.app} is not deployed.`);
        return page(res, 502, `${ref.app} is not running`, `The app ${ref.tenant}/${ref.app} is not running: ${target.message}`);
      }
      const outcome = await forward(req, res, target.port, headers, idleTimeoutMs, bodyless, bodyless && attempt === 0);
      if (outcome !== 'retry') return;
    }
  };
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  port: number,
  headers: IncomingHttpHeaders,
  idleTimeoutMs: number,
  bodyless: boolean,
  mayRetry: boolean,
): Promise<'done' | 'retry'> {
  return new Promise((resolve) => {
    const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent }, (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      answer.on('end', () => resolve('done'));
    });
    upstream.setTimeout(idleTimeoutMs, () => upstream.destroy(new Error('timeout')));
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return resolve('done');
      }
      if (mayRetry && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(error.code ?? '')) return resolve('retry');
      const timedOut = error.message === 'timeout';
      page(
        res,
        timedOut ? 504 : 502,
        timedOut ? 'The app did not answer in time' : 'The app did not answer',
        timedOut ? `No answer within ${Math.round(idleTimeoutMs / 1000)} s.` : 'The connection to the app failed; it may be restarting.',
      );
      resolve('done');
    });
    // The client went away: stop the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    if (bodyless) upstream.end();
    else req.pipe(upstream);
  });
}

/** The client's headers minus hop-by-hop ones and Berth's own credentials; the app's own are kept. */
export function forwardHeaders(req: IncomingMessage, issuer: string): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('x-forwarded-')) continue;
    headers[name] = value;
  }
  if (typeof headers.authorization === 'string' && isBerthToken(headers.authorization, issuer)) delete headers.authorization;
  if (typeof headers.cookie === 'string') {
    const kept = headers.cookie
      .split(';')
      .map((c) => c.trim())
      .filter((c) => c !== '' && !c.startsWith(`${REFRESH_COOKIE}=`));
    if (kept.length > 0) headers.cookie = kept.join('; ');
    else delete headers.cookie;
  }
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
  headers['x-forwarded-proto'] = 'http';
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  return headers;
}

/** A bearer JWT whose issuer is Berth (read, not verified: it is only being dropped). */
function isBerthToken(authorization: string, issuer: string): boolean {
  const token = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/i.exec(authorization.trim());
  if (!token?.[2]) return false;
  try {
    const payload = JSON.parse(Buffer.from(token[2], 'base64url').toString('utf8')) as { iss?: unknown };
    return payload.iss === issuer;
  } catch {
    return false;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Berth's own answer on an app host: a small page that says what is wrong. */
function page(res: ServerResponse, status: number, title: string, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p><small>Berth</small></p></body></html>\n`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(body);
}
