/** Deployments with their timelines on SQLite. */
import type Database from 'better-sqlite3';
import type { DeploymentStore } from '../../ports/store.js';
import { FINAL_STATUSES } from '../../store/types.js';
import type { Deployment, Job } from '../../store/types.js';
import { toDeployment } from './rows.js';
import { runSync } from './sqlite-errors.js';
import { insertJob } from './sqlite-jobs.js';
import { optional } from './sqlite-users.js';

const FINAL_LIST = FINAL_STATUSES.map((status) => `'${status}'`).join(', ');

/** The DeploymentStore over an open database. */
export function createSqliteDeployments(db: Database.Database): DeploymentStore {
  const insert = db.prepare(
    `INSERT INTO deployments (id, tenant, app, kind, requested_by, status, message, commit_sha, change_request,
       error, timeline, created_at, updated_at, idempotency_key)
     VALUES (@id, @tenant, @app, @kind, @requestedBy, @status, @message, @commit, @changeRequest,
       @error, @timeline, @createdAt, @updatedAt, @idempotencyKey)`,
  );
  const get = db.prepare('SELECT * FROM deployments WHERE id = ?');
  const byKey = db.prepare('SELECT * FROM deployments WHERE requested_by = ? AND idempotency_key = ?');
  const listByApp = db.prepare('SELECT * FROM deployments WHERE tenant = ? AND app = ? ORDER BY created_at DESC, rowid DESC LIMIT ?');
  const listOpen = db.prepare(`SELECT * FROM deployments WHERE status NOT IN (${FINAL_LIST}) ORDER BY created_at, rowid LIMIT ?`);
  // json_insert with '$[#]' appends inside the one UPDATE: no read-modify-write race.
  const advance = db.prepare(
    `UPDATE deployments SET
       timeline = json_insert(timeline, '$[#]', json(@entry)),
       status = @status,
       commit_sha = COALESCE(@commit, commit_sha),
       error = COALESCE(@error, error),
       change_request = COALESCE(@changeRequest, change_request),
       updated_at = @at
     WHERE id = @id RETURNING *`,
  );

  // The lookup and both inserts share one IMMEDIATE transaction: a second
  // request with the same key waits for the first and then finds it.
  const enqueue = db.transaction((deployment: Deployment, job: Job) => {
    if (deployment.idempotencyKey !== undefined) {
      const earlier: unknown = byKey.get(deployment.requestedBy, deployment.idempotencyKey);
      if (earlier !== undefined) return { deployment: toDeployment(earlier), created: false };
    }
    insert.run({
      ...deployment,
      message: deployment.message ?? null,
      commit: deployment.commit ?? null,
      changeRequest: deployment.changeRequest ?? null,
      error: deployment.error ?? null,
      timeline: JSON.stringify(deployment.timeline),
      idempotencyKey: deployment.idempotencyKey ?? null,
    });
    insertJob(db, job);
    return { deployment: toDeployment(get.get(deployment.id)), created: true };
  });

  return {
    enqueue: (deployment, job) => runSync(() => enqueue.immediate(deployment, job)),
    get: (id) => runSync(() => optional(get.get(id), toDeployment)),
    listByApp: (tenant, app, limit = 50) => runSync(() => listByApp.all(tenant, app, limit).map(toDeployment)),
    advance: (id, entry, update) =>
      runSync(() =>
        optional(
          advance.get({
            id,
            entry: JSON.stringify(entry),
            status: update.status,
            commit: update.commit ?? null,
            error: update.error ?? null,
            changeRequest: update.changeRequest ?? null,
            at: entry.at,
          }),
          toDeployment,
        ),
      ),
    listOpen: (limit = 100) => runSync(() => listOpen.all(limit).map(toDeployment)),
  };
}
