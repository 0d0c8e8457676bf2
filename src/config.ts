import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { branchNameProblem } from './domain/branch-names.js';

/**
 * The service's configuration: ONE schema for the environment, read once by
 * src/main.ts. Every variable has an embedded-mode default so that
 * `npm start` runs on a laptop with nothing set; a bad value stops start-up
 * with a message naming the variable.
 */

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (protocols: RegExp) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.test(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'must be an absolute URL')
    .optional();

const integer = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const list = (item: z.ZodString) =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .pipe(z.array(item));

const origin = z.string().refine((v) => {
  try {
    const parsed = new URL(v);
    return /^https?:$/.test(parsed.protocol) && parsed.origin === v;
  } catch {
    return false;
  }
}, 'each origin must be scheme://host[:port] with no path and no "*"');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: integer(8080, 0, 65535),
  DATA_DIR: z.string().trim().min(1).default('./.berth'),
  APPS_REPO: optionalText,
  GIT_BRANCH: z
    .string()
    .refine((v) => branchNameProblem(v) === undefined, 'must be a valid git branch name')
    .default('main'),
  PUBLIC_URL: url(/^https?:$/),
  APP_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a DNS domain')
    .default('apps.localhost'),
  CORS_ORIGINS: list(origin),
  BODY_LIMIT_BYTES: integer(1024 * 1024, 1024, 64 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  MONGODB_URI: url(/^mongodb(\+srv)?:$/),
  MONGODB_TIMEOUT_MS: integer(5000, 100, 120_000),
  GIT_REMOTE_URL: url(/^https?:$/),
  GIT_REMOTE_USERNAME: optionalText,
  GIT_REMOTE_TOKEN: optionalText,
  JWT_AUDIENCE: z.string().trim().min(1).default('berth'),
  OIDC_ISSUER: url(/^https?:$/),
  OIDC_AUDIENCE: optionalText,
  SOPS_AGE_RECIPIENTS: list(z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, 'each recipient must be an age1... public key')),
  GITHUB_WEBHOOK_SECRET: optionalText,
  /** Review mode's backend: `local` (requests in the store) or `github` (pull requests on GIT_REMOTE_URL's repository). */
  REVIEW_BACKEND: z.enum(['local', 'github']).default('local'),
  GITHUB_TOKEN: optionalText,
  GITHUB_API_URL: url(/^https?:$/),
  GITHUB_POLL_SECONDS: integer(60, 1, 3600),
  FLUX_WEBHOOK_HMAC_KEY: optionalText,
  CLEANUP_SLEEP_AFTER_HOURS: integer(24, 1, 24 * 365),
  CLEANUP_DELETE_AFTER_HOURS: integer(168, 1, 24 * 365 * 5),
  VALIDATE_TIMEOUT_MS: integer(5000, 100, 60_000),
  SHUTDOWN_DEADLINE_MS: integer(10_000, 100, 300_000),
  GIT_CACHE_MIB: integer(96, 8, 16_384),
  // Slow clients: headers, then the whole request (body included), must arrive in time; idle sockets close.
  HTTP_HEADERS_TIMEOUT_MS: integer(10_000, 100, 300_000),
  HTTP_REQUEST_TIMEOUT_MS: integer(30_000, 100, 600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(5_000, 100, 300_000),
  HTTP_MAX_CONNECTIONS: integer(1_000, 1, 100_000),
  // Scheduled backups of the embedded store into DATA_DIR/backups (0: off).
  BACKUP_EVERY_HOURS: integer(0, 0, 24 * 30),
  BACKUP_KEEP: integer(7, 1, 1_000),
  RATE_LIMIT_AUTH_PER_MINUTE: integer(20, 1, 100_000),
  RATE_LIMIT_DEPLOY_PER_MINUTE: integer(30, 1, 100_000),
  RATE_LIMIT_VALIDATE_PER_MINUTE: integer(300, 1, 100_000),
  // Pyodide validators (about 60 MB each); 0: sized to the machine's cores.
  VALIDATE_WORKERS: integer(0, 0, 16),
  RUNTIME_CLASS_NAME: z
    .string()
    .trim()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a RuntimeClass name')
    .optional(),
  TENANT_RUNTIME_CLASSES: list(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?=[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'each entry must be tenant=runtimeclass')),
  SIGNING_KEY_JWK: optionalText,
  SECRET_BOX_KEY: optionalText,
  TENANT_DB_HOST: optionalText,
  TENANT_DB_PASSWORD_KEY: optionalText,
  RUNTIME: z.enum(['auto', 'local', 'kubernetes', 'none']).default('auto'),
  LOCAL_RUNTIME_PYTHON: z.string().trim().min(1).default('/usr/bin/python3'),
  LOCAL_RUNTIME_MAX_APPS: integer(20, 1, 1000),
  LOCAL_RUNTIME_POLL_MS: integer(1000, 50, 60_000),
  KUBECONFIG: optionalText,
  KUBERNETES_SERVICE_HOST: optionalText,
  KUBE_TIMEOUT_MS: integer(10_000, 100, 120_000),
});

/** The validated configuration, with derived paths resolved. */
export interface Config {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly appsRepo: string;
  readonly branch: string;
  readonly publicUrl: string;
  readonly appDomain: string;
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly trustProxy: boolean;
  readonly mongo?: { readonly uri: string; readonly timeoutMs: number };
  readonly gitRemote?: { readonly url: string; readonly auth?: { readonly username: string; readonly password: string } };
  readonly jwt: { readonly issuer: string; readonly audience: string };
  readonly oidc?: { readonly issuer: string; readonly audience: string };
  readonly sopsAgeRecipients: readonly string[];
  readonly githubWebhookSecret?: string;
  /** Review mode through GitHub pull requests (REVIEW_BACKEND=github); absent: the local backend. */
  readonly githubReviews?: { readonly token: string; readonly apiUrl: string; readonly pollSeconds: number };
  readonly fluxWebhookHmacKey?: string;
  readonly cleanup: { readonly sleepAfterHours: number; readonly deleteAfterHours: number };
  readonly validateTimeoutMs: number;
  readonly shutdownDeadlineMs: number;
  /** Heap bytes the Git adapter may keep parsed objects in. */
  readonly gitCacheBytes: number;
  /** Node's HTTP server limits (see src/http/server.ts). */
  readonly server: {
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly maxConnections: number;
  };
  /** Scheduled backups of the embedded store (everyHours 0: off). */
  readonly backup: { readonly everyHours: number; readonly keep: number };
  readonly rateLimits: { readonly authPerMinute: number; readonly deployPerMinute: number; readonly validatePerMinute: number };
  /** Pyodide validator workers; 0 means sized to the machine. */
  readonly validateWorkers: number;
  /** Pod RuntimeClass (gVisor, Kata) for the fleet and per tenant; see RenderSettings. */
  readonly runtimeClasses: { readonly fleet?: string; readonly tenants: Readonly<Record<string, string>> };
  /** Given by config in production, so every replica signs and seals with the same key; else kept in DATA_DIR. */
  readonly signingKeyJwk?: string;
  readonly secretBoxKey?: string;
  /** Per-tenant MongoDB databases: the host apps reach MongoDB at, and the key tenant passwords derive from. */
  readonly tenantDatabase?: { readonly host: string; readonly passwordKey: string };
  /** What runs the committed apps (see {@link RuntimeConfig}). */
  readonly runtime: RuntimeConfig;
}

/**
 * `local`: Berth runs each committed app as a runner process (embedded mode,
 * never in production; on by default only on a loopback HOST, since it runs
 * whatever anyone who can sign up deploys). `kubernetes`: read-only client of
 * the cluster Flux reconciles into. `none`: Git only.
 */
export type RuntimeConfig =
  | { readonly kind: 'local'; readonly python: string; readonly maxApps: number; readonly pollMs: number }
  | { readonly kind: 'kubernetes'; readonly kubeconfig?: string; readonly timeoutMs: number }
  | { readonly kind: 'none'; readonly reason: string };

/** A variable failed validation; the message names it (and never echoes its value). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Variables whose values are never printed, not even in an error. */
export const SECRET_VARIABLES = [
  'MONGODB_URI',
  'GIT_REMOTE_TOKEN',
  'GITHUB_WEBHOOK_SECRET',
  'GITHUB_TOKEN',
  'FLUX_WEBHOOK_HMAC_KEY',
  'SIGNING_KEY_JWK',
  'SECRET_BOX_KEY',
  'TENANT_DB_PASSWORD_KEY',
] as const;

/**
 * Reads and validates the environment once.
 * @throws ConfigError naming every bad variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const relevant = Object.fromEntries(Object.keys(envSchema.shape).flatMap((key) => (env[key] === undefined ? [] : [[key, env[key]]])));
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${String(issue.path[0] ?? '?')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  const v = parsed.data;
  if ((v.GIT_REMOTE_USERNAME === undefined) !== (v.GIT_REMOTE_TOKEN === undefined)) {
    throw new ConfigError('invalid configuration:\n  GIT_REMOTE_TOKEN: GIT_REMOTE_USERNAME and GIT_REMOTE_TOKEN are set together or not at all');
  }
  if (v.REVIEW_BACKEND === 'github' && (v.GITHUB_TOKEN === undefined || v.GIT_REMOTE_URL === undefined)) {
    throw new ConfigError(
      'invalid configuration:\n  REVIEW_BACKEND: github needs GITHUB_TOKEN and GIT_REMOTE_URL (the repository pull requests are opened on)',
    );
  }
  if (v.OIDC_ISSUER !== undefined && v.OIDC_AUDIENCE === undefined) {
    throw new ConfigError('invalid configuration:\n  OIDC_AUDIENCE: required when OIDC_ISSUER is set');
  }
  // Replicas do not share DATA_DIR: keys made there would differ per pod, and
  // a token signed (or a secret sealed) by one replica would fail on another.
  if (v.NODE_ENV === 'production') {
    for (const name of ['SIGNING_KEY_JWK', 'SECRET_BOX_KEY'] as const) {
      if (v[name] === undefined) throw new ConfigError(`invalid configuration:\n  ${name}: required when NODE_ENV=production (every replica must share it)`);
    }
  }
  if ((v.TENANT_DB_HOST === undefined) !== (v.TENANT_DB_PASSWORD_KEY === undefined) || (v.TENANT_DB_HOST !== undefined && v.MONGODB_URI === undefined)) {
    throw new ConfigError('invalid configuration:\n  TENANT_DB_HOST: TENANT_DB_HOST and TENANT_DB_PASSWORD_KEY go together, and need MONGODB_URI');
  }
  if (v.RUNTIME === 'local' && v.NODE_ENV === 'production') {
    throw new ConfigError('invalid configuration:\n  RUNTIME: local runs user code as processes of this machine and is never used with NODE_ENV=production');
  }
  if (v.CLEANUP_DELETE_AFTER_HOURS < v.CLEANUP_SLEEP_AFTER_HOURS) {
    throw new ConfigError('invalid configuration:\n  CLEANUP_DELETE_AFTER_HOURS: must not be shorter than CLEANUP_SLEEP_AFTER_HOURS');
  }
  return toConfig(v);
}

function toConfig(v: z.infer<typeof envSchema>): Config {
  const dataDir = resolve(v.DATA_DIR);
  const appsRepo = v.APPS_REPO === undefined ? join(dataDir, 'apps.git') : isAbsolute(v.APPS_REPO) ? v.APPS_REPO : resolve(v.APPS_REPO);
  const publicUrl = (v.PUBLIC_URL ?? `http://${v.HOST.includes(':') ? `[${v.HOST}]` : v.HOST}:${v.PORT}`).replace(/\/+$/, '');
  return {
    production: v.NODE_ENV === 'production',
    host: v.HOST,
    port: v.PORT,
    dataDir,
    appsRepo,
    branch: v.GIT_BRANCH,
    publicUrl,
    appDomain: v.APP_DOMAIN,
    corsOrigins: v.CORS_ORIGINS,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    logLevel: v.LOG_LEVEL,
    trustProxy: v.TRUST_PROXY,
    ...(v.MONGODB_URI ? { mongo: { uri: v.MONGODB_URI, timeoutMs: v.MONGODB_TIMEOUT_MS } } : {}),
    ...(v.GIT_REMOTE_URL
      ? {
          gitRemote: {
            url: v.GIT_REMOTE_URL,
            ...(v.GIT_REMOTE_USERNAME && v.GIT_REMOTE_TOKEN ? { auth: { username: v.GIT_REMOTE_USERNAME, password: v.GIT_REMOTE_TOKEN } } : {}),
          },
        }
      : {}),
    jwt: { issuer: publicUrl, audience: v.JWT_AUDIENCE },
    ...(v.OIDC_ISSUER && v.OIDC_AUDIENCE ? { oidc: { issuer: v.OIDC_ISSUER, audience: v.OIDC_AUDIENCE } } : {}),
    sopsAgeRecipients: v.SOPS_AGE_RECIPIENTS,
    ...(v.GITHUB_WEBHOOK_SECRET ? { githubWebhookSecret: v.GITHUB_WEBHOOK_SECRET } : {}),
    ...(v.REVIEW_BACKEND === 'github' && v.GITHUB_TOKEN
      ? { githubReviews: { token: v.GITHUB_TOKEN, apiUrl: v.GITHUB_API_URL ?? 'https://api.github.com', pollSeconds: v.GITHUB_POLL_SECONDS } }
      : {}),
    ...(v.FLUX_WEBHOOK_HMAC_KEY ? { fluxWebhookHmacKey: v.FLUX_WEBHOOK_HMAC_KEY } : {}),
    cleanup: { sleepAfterHours: v.CLEANUP_SLEEP_AFTER_HOURS, deleteAfterHours: v.CLEANUP_DELETE_AFTER_HOURS },
    validateTimeoutMs: v.VALIDATE_TIMEOUT_MS,
    shutdownDeadlineMs: v.SHUTDOWN_DEADLINE_MS,
    gitCacheBytes: v.GIT_CACHE_MIB * 1024 * 1024,
    server: {
      headersTimeoutMs: v.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: Math.max(v.HTTP_REQUEST_TIMEOUT_MS, v.HTTP_HEADERS_TIMEOUT_MS),
      keepAliveTimeoutMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: v.HTTP_MAX_CONNECTIONS,
    },
    backup: { everyHours: v.BACKUP_EVERY_HOURS, keep: v.BACKUP_KEEP },
    rateLimits: {
      authPerMinute: v.RATE_LIMIT_AUTH_PER_MINUTE,
      deployPerMinute: v.RATE_LIMIT_DEPLOY_PER_MINUTE,
      validatePerMinute: v.RATE_LIMIT_VALIDATE_PER_MINUTE,
    },
    validateWorkers: v.VALIDATE_WORKERS,
    runtimeClasses: {
      ...(v.RUNTIME_CLASS_NAME ? { fleet: v.RUNTIME_CLASS_NAME } : {}),
      tenants: Object.fromEntries(v.TENANT_RUNTIME_CLASSES.map((entry) => entry.split('=') as [string, string])),
    },
    ...(v.SIGNING_KEY_JWK ? { signingKeyJwk: v.SIGNING_KEY_JWK } : {}),
    ...(v.SECRET_BOX_KEY ? { secretBoxKey: v.SECRET_BOX_KEY } : {}),
    ...(v.TENANT_DB_HOST && v.TENANT_DB_PASSWORD_KEY ? { tenantDatabase: { host: v.TENANT_DB_HOST, passwordKey: v.TENANT_DB_PASSWORD_KEY } } : {}),
    runtime: toRuntimeConfig(v),
  };
}

/** Whether HOST only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function toRuntimeConfig(v: z.infer<typeof envSchema>): RuntimeConfig {
  const local = { kind: 'local', python: v.LOCAL_RUNTIME_PYTHON, maxApps: v.LOCAL_RUNTIME_MAX_APPS, pollMs: v.LOCAL_RUNTIME_POLL_MS } as const;
  const kube = { kind: 'kubernetes', ...(v.KUBECONFIG ? { kubeconfig: v.KUBECONFIG } : {}), timeoutMs: v.KUBE_TIMEOUT_MS } as const;
  if (v.RUNTIME === 'local') return local;
  if (v.RUNTIME === 'kubernetes') return kube;
  if (v.RUNTIME === 'none') return { kind: 'none', reason: 'RUNTIME=none' };
  if (v.KUBECONFIG !== undefined || v.KUBERNETES_SERVICE_HOST !== undefined) return kube;
  if (v.NODE_ENV === 'production') return { kind: 'none', reason: 'no cluster configured (set KUBECONFIG, or run in the cluster)' };
  // Anyone who can sign up could run code on this machine: only on loopback unless asked for.
  if (isLoopbackHost(v.HOST)) return local;
  return { kind: 'none', reason: `HOST ${v.HOST} is not a loopback address: set RUNTIME=local to run apps on this machine anyway` };
}

/** What start-up logs: the configuration with secrets reduced to whether they are set. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    production: config.production,
    listen: `${config.host}:${config.port}`,
    dataDir: config.dataDir,
    appsRepo: config.appsRepo,
    publicUrl: config.publicUrl,
    store: config.mongo ? 'mongodb' : 'sqlite',
    gitRemote: config.gitRemote ? new URL(config.gitRemote.url).host : 'none',
    corsOrigins: config.corsOrigins,
    oidc: config.oidc ? config.oidc.issuer : 'off',
    sopsRecipients: config.sopsAgeRecipients.length,
    githubWebhook: config.githubWebhookSecret ? 'set' : 'unset',
    reviewBackend: config.githubReviews ? 'github' : 'local',
    fluxWebhook: config.fluxWebhookHmacKey ? 'set' : 'unset',
    signingKey: config.signingKeyJwk ? 'config' : 'data dir',
    secretBoxKey: config.secretBoxKey ? 'config' : 'data dir',
    tenantDatabases: config.tenantDatabase ? config.tenantDatabase.host : 'off',
    runtime: config.runtime.kind,
  };
}
