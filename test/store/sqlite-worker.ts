/**
 * A separate process working on a shared SQLite file, for the multi-process
 * tests: `node --import tsx sqlite-worker.ts <db> <owner> <claim|signup>`.
 * Prints one JSON line with what it got.
 */
import { randomUUID } from 'node:crypto';
import { openSqliteStore } from '../../src/adapters/store-sqlite/index.js';

const [path, owner, mode] = process.argv.slice(2);
if (path === undefined || owner === undefined) throw new Error('usage: sqlite-worker <db> <owner> <claim|signup>');
const store = openSqliteStore({ path });
const now = new Date('2025-01-01T00:01:00Z').toISOString();
const until = new Date('2025-01-01T00:02:00Z').toISOString();

if (mode === 'signup') {
  const roles = [];
  for (let i = 0; i < 5; i++) {
    const name = `${owner}-${i}`;
    const user = await store.users.create({ id: randomUUID(), username: name, email: `${name}@x.test`, roles: ['editor'], createdAt: now });
    roles.push(user.roles);
  }
  console.log(JSON.stringify({ roles }));
} else {
  const claimed: string[] = [];
  for (;;) {
    const job = await store.jobs.claim(owner, now, until);
    if (job === undefined) break;
    if (!(await store.jobs.complete(job.id, owner, now))) throw new Error(`lost ${job.id}`);
    claimed.push(job.id);
  }
  console.log(JSON.stringify({ claimed }));
}
await store.close();
