/**
 * The signed-in session. The access token lives in this module's memory
 * only (never localStorage, sessionStorage or a URL); a reload or a new tab
 * gets a fresh one from POST /auth/refresh with the httpOnly cookie.
 *
 * Refresh tokens rotate and a reused one revokes its family, so two tabs
 * refreshing with the same cookie would log the user out. Refreshes are
 * therefore serialised across tabs with the Web Locks API, and the tab that
 * refreshed hands the new access token to the others over a
 * BroadcastChannel: a tab that waited for the lock and got a token
 * meanwhile does not refresh again.
 */

export interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly roles: readonly string[];
}

type Message = { readonly type: 'token'; readonly token: string; readonly user?: User } | { readonly type: 'logout' };

const LOCK = 'berth-refresh';
const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('berth-session');

let token: string | undefined;
let user: User | undefined;
/** When this tab last got a token (its own refresh, a login, or another tab's broadcast). */
let tokenAt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<boolean> | undefined;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

/** Seconds-since-epoch expiry of a JWT, read without verifying (the server verifies). */
function expiryOf(jwt: string): number | undefined {
  try {
    const payload = JSON.parse(atob((jwt.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/** Refresh a minute before expiry (at least 5 s from now). */
function schedule(): void {
  if (timer) clearTimeout(timer);
  const exp = token ? expiryOf(token) : undefined;
  if (exp === undefined) return;
  const wait = Math.max(5_000, exp * 1000 - Date.now() - 60_000);
  timer = setTimeout(() => void refresh(), wait);
}

function adopt(next: string | undefined, nextUser?: User): void {
  token = next;
  if (nextUser) user = nextUser;
  if (!next) user = undefined;
  tokenAt = Date.now();
  schedule();
  notify();
}

channel?.addEventListener('message', (event: MessageEvent<Message>) => {
  if (event.data.type === 'token') adopt(event.data.token, event.data.user ?? user);
  else if (token) adopt(undefined);
});

export const session = {
  token: () => token,
  user: () => user,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** After login or signup: this tab and the others take the new session. */
  signedIn(next: string, who: User): void {
    adopt(next, who);
    channel?.postMessage({ type: 'token', token: next, user: who } satisfies Message);
  },
  setUser(who: User): void {
    user = who;
    notify();
  },
  signedOut(): void {
    adopt(undefined);
    channel?.postMessage({ type: 'logout' } satisfies Message);
  },
};

async function refreshOnce(askedAt: number): Promise<boolean> {
  // Another tab refreshed while this one waited for the lock: use its token.
  if (token && tokenAt > askedAt) return true;
  const res = await fetch('/api/v1/auth/refresh', { method: 'POST', credentials: 'same-origin', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) {
    adopt(undefined);
    return false;
  }
  const body = (await res.json()) as { accessToken: string };
  adopt(body.accessToken);
  channel?.postMessage({ type: 'token', token: body.accessToken, ...(user ? { user } : {}) } satisfies Message);
  return true;
}

/** A new access token from the refresh cookie, one tab at a time. False: not signed in. */
export function refresh(): Promise<boolean> {
  if (inFlight) return inFlight;
  const askedAt = Date.now();
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const run = () => refreshOnce(askedAt);
  const pending: Promise<boolean> = (locks ? locks.request(LOCK, run).then((ok) => ok) : run()).finally(() => (inFlight = undefined));
  inFlight = pending;
  return pending;
}
