import type { Store, UserStore } from '../ports/store.js';
import type { User } from '../store/types.js';

/**
 * Every authenticated request reads its account from the store (roles and
 * removal take effect at once, not when a 15-minute token expires). Reads by
 * id are cached for a few seconds so that a busy client does not cost a
 * store round trip per request; this process's own role changes and
 * removals drop the entry at once, another replica's apply within `ttlMs`.
 */
export const ACCOUNT_CACHE_MS = 2_000;

export function withAccountCache(store: Store, options: { readonly ttlMs?: number; readonly nowMs?: () => number } = {}): Store {
  const ttlMs = options.ttlMs ?? ACCOUNT_CACHE_MS;
  const nowMs = options.nowMs ?? Date.now;
  const cached = new Map<string, { readonly user: User | undefined; readonly until: number }>();
  const inner = store.users;
  const forget = <T>(id: string, result: Promise<T>): Promise<T> => {
    cached.delete(id);
    return result.finally(() => cached.delete(id));
  };
  const users: UserStore = {
    create: (user) => inner.create(user),
    async byId(id) {
      const hit = cached.get(id);
      if (hit && hit.until > nowMs()) return hit.user;
      const user = await inner.byId(id);
      // Bounded: an entry per active account; stale ones are dropped as the map grows.
      if (cached.size >= 10_000) cached.clear();
      cached.set(id, { user, until: nowMs() + ttlMs });
      return user;
    },
    byUsername: (username) => inner.byUsername(username),
    byExternalId: (externalId) => inner.byExternalId(externalId),
    list: () => inner.list(),
    setRoles: (id, roles) => forget(id, inner.setRoles(id, roles)),
    remove: (id, now) => forget(id, inner.remove(id, now)),
    count: () => inner.count(),
  };
  return { ...store, users };
}
