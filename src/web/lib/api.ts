import { refresh, session, type User } from './session.js';

/** The API's error body, kept whole: the UI shows the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly rule: string;
}

export type EnvView = Record<string, { value: string; secret: false } | { secret: true }>;

/** Where the app runs, as GET .../status and the app list say. */
export type RuntimePhase = 'running' | 'starting' | 'asleep' | 'failed' | 'absent';

export interface RuntimeView {
  readonly kind: 'local' | 'kubernetes' | 'none';
  readonly liveCommit?: string;
  readonly ready: boolean;
  readonly replicas: { readonly desired: number; readonly ready: number };
  readonly message: string;
  readonly phase: RuntimePhase;
  readonly url: string;
}

export interface AppStatus {
  readonly git: { readonly commit: string | null };
  readonly runtime: RuntimeView;
}

export interface LogLine {
  readonly at: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface RuntimeEvent {
  readonly at: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly source: string;
}

/** The test panel's request and the app's answer, as POST .../request takes and gives them. */
export interface AppRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface AppAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly truncated: boolean;
  readonly ms: number;
}

export interface AppSummary {
  readonly tenant: string;
  readonly name: string;
  readonly url: string;
  readonly live?: { readonly commit: string; readonly at: string };
  readonly runtime?: Pick<RuntimeView, 'ready' | 'phase' | 'message' | 'replicas'>;
  readonly lastActivityAt: string;
  readonly policy: { readonly mode: string };
}

export interface AppDetail extends AppSummary {
  readonly draft: { readonly files: Record<string, string>; readonly entrypoint: string; readonly env: EnvView };
}

export interface TimelineEntry {
  readonly stage: string;
  readonly at: string;
  readonly detail?: string;
}

export interface Deployment {
  readonly id: string;
  readonly app: string;
  readonly kind: string;
  readonly status: string;
  readonly commit?: string;
  readonly message?: string;
  readonly error?: string;
  readonly createdAt: string;
  readonly timeline: readonly TimelineEntry[];
}

export interface Release {
  readonly commit: string;
  readonly action?: string;
  readonly actor?: string;
  readonly author: string;
  readonly at: string;
  readonly message: string;
}

export interface StarterVariable {
  readonly name: string;
  readonly description: string;
}

export interface Template {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly entrypoint: string;
  readonly files: Record<string, string>;
  readonly teaches?: string;
  readonly tags?: readonly string[];
  readonly needs?: { readonly database: boolean; readonly secrets: readonly StarterVariable[]; readonly settings: readonly StarterVariable[] };
}

/** An env var as POST /apps and PUT .../draft take it: plain text, or a write-only secret. */
export type EnvInput = string | { secret: true; value?: string };

interface CallOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** Tolerated statuses that resolve to undefined instead of throwing (e.g. 404 for routes a later version adds). */
  readonly optional?: readonly number[];
}

async function send(method: string, path: string, options: CallOptions): Promise<Response> {
  const token = session.token();
  return fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: options.signal ?? AbortSignal.timeout(30_000),
  });
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    return new ApiError(res.status, body.error?.code ?? 'error', body.error?.message ?? `HTTP ${res.status}`, body.error?.details);
  } catch {
    return new ApiError(res.status, 'error', `the server answered HTTP ${res.status}`);
  }
}

/** A response, after one refresh-and-retry on 401 when a session exists. */
export async function raw(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  let res = await send(method, path, options);
  if (res.status === 401 && session.token() !== undefined && !path.startsWith('/auth/')) {
    if (await refresh()) res = await send(method, path, options);
  }
  return res;
}

/** JSON in and out; non-2xx becomes an {@link ApiError} with the API's message. */
export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const res = await raw(method, path, options);
  if (options.optional?.includes(res.status)) return undefined as T;
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** `tenant/app` as a path segment pair, each part encoded. */
export const appPath = (tenant: string, app: string) => `/apps/${encodeURIComponent(tenant)}/${encodeURIComponent(app)}`;

export const api = {
  signup: (body: { username: string; email: string; password: string; invite?: string }) =>
    call<{ user: User; accessToken: string }>('POST', '/auth/signup', { body }),
  login: (body: { username: string; password: string }) => call<{ user: User; accessToken: string }>('POST', '/auth/login', { body }),
  logout: () => call<void>('POST', '/auth/logout'),
  me: () => call<{ user: User }>('GET', '/me'),
  templates: () => call<{ templates: Template[] }>('GET', '/templates'),
  apps: () => call<{ apps: AppSummary[] }>('GET', '/apps'),
  createApp: (body: { name: string; template?: string; files?: Record<string, string>; entrypoint?: string; env?: Record<string, EnvInput> }) =>
    call<{ app: AppDetail }>('POST', '/apps', { body }),
  app: (t: string, a: string) => call<{ app: AppDetail }>('GET', appPath(t, a)),
  saveDraft: (t: string, a: string, body: { files: Record<string, string>; entrypoint: string; env: Record<string, unknown> }) =>
    call<{ app: AppDetail }>('PUT', `${appPath(t, a)}/draft`, { body }),
  validate: (t: string, a: string, body: { files: Record<string, string>; entrypoint: string }, signal?: AbortSignal) =>
    call<{ ok: boolean; problems: Problem[] }>('POST', `${appPath(t, a)}/validate`, { body, ...(signal ? { signal } : {}) }),
  deploy: (t: string, a: string, message: string | undefined) =>
    call<{ deployment: Deployment }>('POST', `${appPath(t, a)}/deploy`, {
      body: message ? { message } : {},
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    }),
  deployments: (t: string, a: string) => call<{ deployments: Deployment[] }>('GET', `${appPath(t, a)}/deployments`),
  releases: (t: string, a: string) => call<{ releases: Release[] }>('GET', `${appPath(t, a)}/releases`),
  releaseDiff: (t: string, a: string, commit: string) =>
    call<{ commit: string; previous: string | null; code: string; manifests: string }>('GET', `${appPath(t, a)}/releases/${commit}/diff`),
  rollback: (t: string, a: string, to: string) =>
    call<{ deployment: Deployment }>('POST', `${appPath(t, a)}/rollback`, { body: { to }, headers: { 'Idempotency-Key': crypto.randomUUID() } }),
  removeApp: (t: string, a: string) => call<{ deployment: Deployment }>('DELETE', appPath(t, a)),
  status: (t: string, a: string) => call<AppStatus>('GET', `${appPath(t, a)}/status`),
  logs: (t: string, a: string, tail: number) => call<{ lines: LogLine[] }>('GET', `${appPath(t, a)}/logs?tail=${tail}`),
  events: (t: string, a: string) => call<{ events: RuntimeEvent[] }>('GET', `${appPath(t, a)}/events`),
  request: (t: string, a: string, body: AppRequest) => call<AppAnswer>('POST', `${appPath(t, a)}/request`, { body }),
  sleep: (t: string, a: string) => call<{ status: string; commit: string | null }>('POST', `${appPath(t, a)}/sleep`),
  wake: (t: string, a: string) => call<{ status: string; commit: string | null }>('POST', `${appPath(t, a)}/wake`),
  systemWarnings: () => call<{ warnings: { code: string; message: string }[] }>('GET', '/system'),
};
