import type { Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface ListWatchOptions<T> {
  readonly watch: Watch;
  /** The collection's API path, e.g. /apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations. */
  readonly path: string;
  /** Lists the collection (with its own timeout): the items and the list's resourceVersion. */
  list(): Promise<{ readonly items: readonly T[]; readonly resourceVersion?: string }>;
  nameOf(item: T): string | undefined;
  /** Called with the whole set after a (re-)list, and per change after that. */
  onReplace(items: ReadonlyMap<string, T>): void;
  onChange(type: 'ADDED' | 'MODIFIED' | 'DELETED', item: T): void;
  readonly logger: Logger;
  /** Server-side bound of one watch request; the API server closes it after this and it is re-opened. */
  readonly watchSeconds?: number;
  readonly backoffMs?: { readonly base: number; readonly max: number };
}

/** Counters a test (or a metric) can read. */
export interface ListWatchStats {
  lists: number;
  watches: number;
  expired: number;
}

/**
 * List, then watch from the list's resourceVersion; when the watch ends
 * (the server closes it, the connection drops) watch again from the last
 * resourceVersion seen (BOOKMARKs move it on); when it answers 410 Gone
 * (as an HTTP status or an ERROR event), that version is too old: list
 * again. Failures back off with jitter. Returns the stop function.
 */
export function startListWatch<T>(options: ListWatchOptions<T>): { stop(): void; stats: ListWatchStats; ready: Promise<void> } {
  const stats: ListWatchStats = { lists: 0, watches: 0, expired: 0 };
  const backoff = options.backoffMs ?? { base: 500, max: 30_000 };
  let stopped = false;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let resourceVersion: string | undefined;
  let failures = 0;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const later = (fn: () => void, ms: number) => {
    if (stopped) return;
    timer = setTimeout(fn, ms);
    timer.unref();
  };
  const delay = () => Math.round(Math.min(backoff.max, backoff.base * 2 ** failures) * (0.8 + 0.4 * Math.random()));

  async function relist(): Promise<void> {
    if (stopped) return;
    try {
      stats.lists += 1;
      const listed = await options.list();
      const items = new Map<string, T>();
      for (const item of listed.items) {
        const name = options.nameOf(item);
        if (name) items.set(name, item);
      }
      options.onReplace(items);
      resourceVersion = listed.resourceVersion;
      failures = 0;
      markReady();
      void watchFrom();
    } catch (err) {
      failures += 1;
      options.logger.warn({ err, path: options.path }, 'kubernetes list failed; retrying');
      later(() => void relist(), delay());
    }
  }

  async function watchFrom(): Promise<void> {
    if (stopped) return;
    stats.watches += 1;
    let expired = false;
    const params = { allowWatchBookmarks: true, timeoutSeconds: options.watchSeconds ?? 300, ...(resourceVersion ? { resourceVersion } : {}) };
    controller = await options.watch.watch(
      options.path,
      params,
      (type, object: T & { metadata?: { resourceVersion?: string }; code?: number }) => {
        if (type === 'BOOKMARK') {
          resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
        } else if (type === 'ERROR') {
          if (object.code === 410) expired = true;
        } else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
          options.onChange(type, object);
        }
      },
      (err: unknown) => {
        if (stopped) return;
        const status = typeof err === 'object' && err !== null && 'statusCode' in err ? err.statusCode : undefined;
        if (expired || status === 410) {
          stats.expired += 1;
          resourceVersion = undefined;
          void relist();
        } else if (err) {
          failures += 1;
          options.logger.warn({ err, path: options.path }, 'kubernetes watch failed; watching again');
          later(() => void watchFrom(), delay());
        } else {
          // Closed by the server (its timeout): carry on from the last version.
          later(() => void watchFrom(), 0);
        }
      },
    );
  }

  void relist();
  return {
    stats,
    ready,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
    },
  };
}
