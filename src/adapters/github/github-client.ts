import { Octokit } from '@octokit/rest';
import { equalJitterMs, sleep } from '../../backoff.js';

export interface GitHubRepo {
  readonly owner: string;
  readonly repo: string;
}

export interface GitHubClientOptions {
  readonly token: string;
  /** `https://api.github.com` by default; tests point it at a local server. */
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
  /** Longest wait for a rate-limit reset before giving up (default 60 s). */
  readonly maxRateLimitWaitMs?: number;
  readonly now?: () => number;
}

/** The status of an Octokit RequestError (which @octokit/request also throws for a 304). */
export const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : undefined;

const headerOf = (error: unknown, name: string): string | undefined => {
  const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers;
  const value = headers?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
};

/** GitHub's own words from an error body. */
export const messageOf = (error: unknown): string => {
  const data = (error as { response?: { data?: { message?: unknown; errors?: { message?: unknown }[] } } }).response?.data;
  const detail = data?.errors?.map((e) => e.message).filter((m) => typeof m === 'string') ?? [];
  return [typeof data?.message === 'string' ? data.message : error instanceof Error ? error.message : String(error), ...detail].join(': ');
};

/**
 * How long GitHub asks us to wait: `retry-after` (secondary limits), or the
 * primary limit's reset when `x-ratelimit-remaining` is 0. Undefined: not a
 * rate limit.
 */
export function rateLimitWaitMs(error: unknown, now: number): number | undefined {
  const status = statusOf(error);
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = headerOf(error, 'retry-after');
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) return Number(retryAfter) * 1000;
  if (headerOf(error, 'x-ratelimit-remaining') === '0') {
    const reset = Number(headerOf(error, 'x-ratelimit-reset'));
    if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  }
  return status === 429 ? 1000 : undefined;
}

/** Octokit with a timeout on every call, and rate limits honoured: wait as told (with jitter), a few times at most. */
export function createGitHubClient(options: GitHubClientOptions) {
  const octokit = new Octokit({
    auth: options.token,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    userAgent: 'berth-review-backend',
    request: { timeout: options.timeoutMs ?? 15_000 },
  });
  const now = options.now ?? Date.now;
  const maxWait = options.maxRateLimitWaitMs ?? 60_000;

  async function call<T>(work: (kit: Octokit) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(octokit);
      } catch (error) {
        const wait = rateLimitWaitMs(error, now());
        if (wait === undefined || attempt >= 4 || wait > maxWait) throw error;
        await sleep(wait + equalJitterMs(attempt, 100, 1_000));
      }
    }
  }
  return { call };
}

export type GitHubClient = ReturnType<typeof createGitHubClient>;

/** `owner/repo` from a remote URL such as https://github.com/owner/repo.git. */
export function repoOfRemoteUrl(url: string): GitHubRepo {
  const match = /[/:]([^/:]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  if (!match?.[1] || !match[2]) throw new Error(`cannot tell the GitHub repository from ${url}`);
  return { owner: match[1], repo: match[2] };
}
