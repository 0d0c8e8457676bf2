import type { SettingsStore } from '../../ports/store.js';
import type { ChangeRequestRecord } from '../../reviews/change-request.js';
import type { ChangeRequestRecords } from '../../services/review-port.js';

const recordKey = (id: string) => `review.cr.${id}`;
const INDEX_KEY = 'review.index';
/** Closed requests beyond this many are dropped from the index (their records stay readable by id). */
const INDEX_LIMIT = 2_000;

/**
 * Change request records in the Store's settings table, which both Store
 * adapters already have: one key per request plus an index of ids. Writes
 * are serialised in this process by a promise chain, so concurrent opens and
 * verdicts do not lose each other's index entries or verdicts.
 */
export function createChangeRequestRecords(settings: SettingsStore, now: () => Date): ChangeRequestRecords {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };

  const readIndex = async () => (await settings.get<string[]>(INDEX_KEY)) ?? [];
  const get = (id: string) => settings.get<ChangeRequestRecord>(recordKey(id));

  async function write(record: ChangeRequestRecord): Promise<void> {
    const at = now().toISOString();
    await settings.put(recordKey(record.id), record, at);
    const index = await readIndex();
    if (!index.includes(record.id)) await settings.put(INDEX_KEY, [record.id, ...index].slice(0, INDEX_LIMIT), at);
  }

  return {
    get,
    put: (record) => serial(() => write(record)),
    async list(filter = {}) {
      const records = await Promise.all((await readIndex()).map(get));
      return records
        .filter((r): r is ChangeRequestRecord => r !== undefined)
        .filter((r) => (!filter.state || r.state === filter.state) && (!filter.tenant || r.tenant === filter.tenant) && (!filter.app || r.app === filter.app))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
    update: (id, change) =>
      serial(async () => {
        const current = await get(id);
        if (!current) return undefined;
        const next = await change(current);
        await write(next);
        return next;
      }),
  };
}
