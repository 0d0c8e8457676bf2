/** The durable job queue on SQLite. */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { JobStore } from '../../ports/store.js';
import type { Job } from '../../store/types.js';
import { toInstant, toJsonText } from '../../store/record-schemas.js';
import { toJob } from './rows.js';
import { runSync } from './sqlite-errors.js';
import { optional } from './sqlite-users.js';

const INSERT_JOB = `INSERT INTO jobs (id, kind, payload, state, attempts, run_at, lease_owner, lease_until, last_error,
    created_at, updated_at)
  VALUES (@id, @kind, @payload, @state, @attempts, @runAt, @leaseOwner, @leaseUntil, @lastError,
    @createdAt, @updatedAt)`;

const insertStatements = new WeakMap<Database.Database, Database.Statement>();

/** Inserts a job; shared with deployments.enqueue, which runs it inside its own transaction. */
export function insertJob(db: Database.Database, job: Job): void {
  let statement = insertStatements.get(db);
  if (statement === undefined) {
    statement = db.prepare(INSERT_JOB);
    insertStatements.set(db, statement);
  }
  statement.run({
    ...job,
    payload: toJsonText(job.payload),
    runAt: toInstant(job.runAt),
    leaseOwner: job.leaseOwner ?? null,
    leaseUntil: job.leaseUntil === undefined ? null : toInstant(job.leaseUntil),
    lastError: job.lastError ?? null,
  });
}

// Oldest runnable first: queued and due, or running under a lease that ran
// out (its worker died). One UPDATE picks and takes it, so no two claimers
// can get the same job.
const CLAIM = `UPDATE jobs SET state = 'running', lease_owner = @owner, lease_until = @leaseUntil,
    attempts = attempts + 1, updated_at = @now
  WHERE seq = (
    SELECT seq FROM jobs
    WHERE ((state = 'queued' AND run_at <= @now) OR (state = 'running' AND lease_until <= @now))
      AND (@kinds IS NULL OR kind IN (SELECT value FROM json_each(@kinds)))
    ORDER BY created_at, seq LIMIT 1)
  RETURNING *`;

const statsRow = z.object({ queued: z.number(), running: z.number(), oldest: z.string().nullable() });

/** The JobStore over an open database. */
export function createSqliteJobs(db: Database.Database): JobStore {
  const claim = db.prepare(CLAIM);
  const get = db.prepare('SELECT * FROM jobs WHERE id = ?');
  const heartbeat = db.prepare(`UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND state = 'running'`);
  const complete = db.prepare(
    `UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = ?
     WHERE id = ? AND lease_owner = ? AND state = 'running'`,
  );
  const retry = db.prepare(
    `UPDATE jobs SET state = 'queued', run_at = @retryAt, lease_owner = NULL, lease_until = NULL,
       last_error = @error, updated_at = @now
     WHERE id = @id AND lease_owner = @owner AND state = 'running'`,
  );
  const fail = db.prepare(
    `UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = @error, updated_at = @now
     WHERE id = @id AND lease_owner = @owner AND state = 'running'`,
  );
  const releaseAll = db.prepare(
    `UPDATE jobs SET state = 'queued', run_at = @now, lease_owner = NULL, lease_until = NULL, updated_at = @now
     WHERE lease_owner = @owner AND state = 'running'`,
  );
  const stats = db.prepare(
    `SELECT COALESCE(SUM(state = 'queued'), 0) AS queued, COALESCE(SUM(state = 'running'), 0) AS running,
       MIN(CASE WHEN state = 'queued' THEN created_at END) AS oldest
     FROM jobs WHERE state IN ('queued', 'running')`,
  );
  // IMMEDIATE: the write lock is taken before the pick, so a second process
  // waits (busy_timeout) instead of failing on a stale WAL snapshot.
  const claimOne = db.transaction((params: Record<string, string | null>) => claim.get(params));

  return {
    enqueue: (job) => runSync(() => insertJob(db, job)),
    claim: (owner, now, leaseUntil, kinds) =>
      runSync(() => {
        const row: unknown = claimOne.immediate({
          owner,
          now: toInstant(now),
          leaseUntil: toInstant(leaseUntil),
          kinds: kinds === undefined ? null : JSON.stringify(kinds),
        });
        return optional(row, toJob);
      }),
    heartbeat: (id, owner, leaseUntil) => runSync(() => heartbeat.run(toInstant(leaseUntil), id, owner).changes === 1),
    complete: (id, owner, now) => runSync(() => complete.run(now, id, owner).changes === 1),
    fail: (id, owner, error, now, retryAt) =>
      runSync(() => {
        const params = { id, owner, error, now };
        const result = retryAt === undefined ? fail.run(params) : retry.run({ ...params, retryAt: toInstant(retryAt) });
        return result.changes === 1;
      }),
    releaseAll: (owner, now) => runSync(() => releaseAll.run({ owner, now: toInstant(now) }).changes),
    get: (id) => runSync(() => optional(get.get(id), toJob)),
    stats: (now) =>
      runSync(() => {
        const row = statsRow.parse(stats.get());
        const ageMs = row.oldest === null ? 0 : Date.parse(now) - Date.parse(row.oldest);
        return { queued: row.queued, running: row.running, oldestQueuedSeconds: Math.max(0, ageMs / 1000) };
      }),
  };
}
