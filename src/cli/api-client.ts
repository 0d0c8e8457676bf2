import { UnauthorizedError } from '../errors.js';
import { readCredentials, writeCredentials, type Credentials } from './credentials.js';

/** Every call is bounded; the SSE stream has its own, longer bound. */
export const REQUEST_TIMEOUT_MS = 30_000;
export const STREAM_TIMEOUT_MS = 10 * 60_000;

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The server's error body (its status, code and message), as the error the CLI's one error handler prints. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    /** The server's stable error code, when it sent one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server did not answer: refused connection, DNS, timeout. Exit code 5. */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** fetch with the failure said in a person's words: which server, and why it did not answer. */
async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    // The caller's own abort (Ctrl-C on logs --follow) is not an unreachable server.
    if (err instanceof Error && err.name === 'AbortError') throw err;
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    const why = err instanceof Error && err.name === 'TimeoutError' ? 'no answer in time' : cause;
    throw new UnreachableError(`cannot reach the Berth server at ${new URL(url).origin}: ${why}`);
  }
}

function errorOf(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object' && body.error !== null) {
    const error = body.error as { code?: unknown; message?: unknown; details?: unknown };
    return new ApiError(
      status,
      typeof error.message === 'string' ? error.message : `HTTP ${status}`,
      error.details,
      typeof error.code === 'string' ? error.code : undefined,
    );
  }
  return new ApiError(status, `HTTP ${status}`);
}

/** A non-JSON answer (a proxy's HTML error page) becomes an error with its status, not a JSON SyntaxError. */
function parseBody(text: string, status: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(status, `the server answered HTTP ${status} with something other than JSON: ${text.slice(0, 120)}`);
  }
}

function refreshCookieOf(res: Response): string | undefined {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('berth_refresh='));
  const value = cookie?.split(';')[0]?.slice('berth_refresh='.length);
  return value || undefined;
}

/** A small client of the Berth API for the CLI: JSON, timeouts, one refresh on an expired token. */
export class ApiClient {
  constructor(
    readonly server: string,
    private credentials: Credentials | undefined,
    private readonly credentialsFile?: string,
  ) {}

  static async open(server: string | undefined, credentialsFile?: string): Promise<ApiClient> {
    const saved = await readCredentials(credentialsFile);
    const chosen = (server ?? saved?.server ?? DEFAULT_SERVER).replace(/\/+$/, '');
    return new ApiClient(chosen, saved?.server === chosen ? saved : undefined, credentialsFile);
  }

  async login(username: string, password: string): Promise<Credentials> {
    const res = await this.fetch('POST', '/api/v1/auth/login', { username, password }, false);
    const body = (await res.json()) as { accessToken: string; user: { username: string } };
    const refreshToken = refreshCookieOf(res);
    this.credentials = { server: this.server, username: body.user.username, accessToken: body.accessToken, ...(refreshToken ? { refreshToken } : {}) };
    await writeCredentials(this.credentials, this.credentialsFile);
    return this.credentials;
  }

  get username(): string {
    if (!this.credentials) throw new UnauthorizedError(`not logged in to ${this.server}: run berth login`);
    return this.credentials.username;
  }

  /** JSON request; on a 401 with a saved refresh token, refreshes once and retries. */
  async json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    let res = await this.fetch(method, path, body, true, headers);
    if (res.status === 401 && (await this.refresh())) res = await this.fetch(method, path, body, true, headers);
    const text = await res.text();
    const parsed: unknown = text ? parseBody(text, res.status) : undefined;
    if (!res.ok) throw errorOf(res.status, parsed);
    return parsed;
  }

  /** The raw SSE response of a deployment. */
  async events(id: string): Promise<Response> {
    const res = await request(`${this.server}/api/v1/deployments/${encodeURIComponent(id)}/events`, {
      headers: { Authorization: `Bearer ${this.credentials?.accessToken ?? ''}`, Accept: 'text/event-stream' },
      signal: AbortSignal.timeout(STREAM_TIMEOUT_MS),
    });
    if (!res.ok) throw errorOf(res.status, await res.json().catch(() => undefined));
    return res;
  }

  /** A raw server-sent event stream (GET), open until the server ends it or `signal` aborts. */
  async stream(path: string, signal?: AbortSignal): Promise<Response> {
    const res = await request(`${this.server}${path}`, {
      headers: { Authorization: `Bearer ${this.credentials?.accessToken ?? ''}`, Accept: 'text/event-stream' },
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw errorOf(res.status, await res.json().catch(() => undefined));
    return res;
  }

  private async refresh(): Promise<boolean> {
    if (!this.credentials?.refreshToken) return false;
    const res = await request(`${this.server}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { Cookie: `berth_refresh=${this.credentials.refreshToken}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) return false;
    const body = (await res.json()) as { accessToken: string };
    const refreshToken = refreshCookieOf(res);
    this.credentials = { ...this.credentials, accessToken: body.accessToken, ...(refreshToken ? { refreshToken } : {}) };
    await writeCredentials(this.credentials, this.credentialsFile);
    return true;
  }

  private async fetch(method: string, path: string, body: unknown, auth: boolean, headers: Record<string, string> = {}): Promise<Response> {
    if (auth && !this.credentials) throw new UnauthorizedError(`not logged in to ${this.server}: run berth login`);
    const res = await request(`${this.server}${path}`, {
      method,
      headers: {
        ...(auth && this.credentials ? { Authorization: `Bearer ${this.credentials.accessToken}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!auth && !res.ok) throw errorOf(res.status, await res.json().catch(() => undefined));
    return res;
  }
}
