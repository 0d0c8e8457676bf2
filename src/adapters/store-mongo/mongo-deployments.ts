/**
 * Deployments on MongoDB, with an outbox instead of a transaction.
 *
 * `enqueue` must leave the deployment and its job together or not at all.
 * Multi-document transactions need a replica set, and Berth must also run on
 * a standalone server, so the job is written INSIDE the deployment document
 * (`outbox`): that one insert is the atomic commit point, and it also
 * carries the unique (requestedBy, idempotencyKey) index. The job is then
 * copied into `jobs` (an idempotent upsert) and the outbox cleared. If the
 * process dies in between, the next claim or start-up of any replica
 * publishes it, and `jobs.get` already finds it in the outbox meanwhile.
 */
import type { Collection, Db } from 'mongodb';
import type { DeploymentStore } from '../../ports/store.js';
import { FINAL_STATUSES } from '../../store/types.js';
import { ConflictError } from '../../errors.js';
import { fromDeployment, toDeployment } from './mongo-docs.js';
import type { DeploymentDoc, JobDoc } from './mongo-docs.js';
import { guard, isDuplicateKey } from './mongo-errors.js';
import { fromJob } from './mongo-jobs.js';
import { maybe } from './mongo-users.js';

/** How often claims look for outbox jobs a crashed process left behind. */
const OUTBOX_SWEEP_MS = 5_000;

export interface MongoDeployments {
  readonly store: DeploymentStore;
  /** Publishes outbox jobs left by a crash; cheap, and rate-limited unless `force`. */
  flushOutbox(force?: boolean): Promise<void>;
}

/** The DeploymentStore on MongoDB and its outbox sweeper. */
export function createMongoDeployments(db: Db): MongoDeployments {
  const deployments: Collection<DeploymentDoc> = db.collection('deployments');
  const jobs: Collection<JobDoc> = db.collection('jobs');
  let lastSweep = 0;

  async function publish(deploymentId: string, job: JobDoc): Promise<void> {
    const { _id, ...fields } = job;
    try {
      await jobs.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
    } catch (error) {
      // Two publishers racing on the same upsert: the other one inserted it.
      if (!isDuplicateKey(error)) throw error;
    }
    await deployments.updateOne({ _id: deploymentId }, { $unset: { outbox: '' } });
  }

  async function flushOutbox(force = false): Promise<void> {
    if (!force && Date.now() - lastSweep < OUTBOX_SWEEP_MS) return;
    lastSweep = Date.now();
    const pending = await deployments
      .find({ 'outbox._id': { $exists: true } })
      .limit(100)
      .toArray();
    for (const doc of pending) if (doc.outbox !== undefined) await publish(doc._id, doc.outbox);
  }

  async function earlier(requestedBy: string, key: string | undefined): Promise<DeploymentDoc | null> {
    return key === undefined ? null : deployments.findOne({ requestedBy, idempotencyKey: key });
  }

  const store: DeploymentStore = {
    enqueue: (deployment, job) =>
      guard(async () => {
        const before = await earlier(deployment.requestedBy, deployment.idempotencyKey);
        if (before !== null) return { deployment: toDeployment(before), created: false };
        // A job id is the caller's to choose; refuse a taken one before anything is written.
        if ((await jobs.countDocuments({ _id: job.id }, { limit: 1 })) > 0) throw new ConflictError('job already exists');
        const outbox = fromJob(job);
        try {
          await deployments.insertOne({ ...fromDeployment(deployment), outbox });
        } catch (error) {
          const winner = isDuplicateKey(error) ? await earlier(deployment.requestedBy, deployment.idempotencyKey) : null;
          if (winner !== null) return { deployment: toDeployment(winner), created: false };
          throw error;
        }
        await publish(deployment.id, outbox);
        return { deployment, created: true };
      }),
    get: (id) => guard(async () => maybe(await deployments.findOne({ _id: id }), toDeployment)),
    listByApp: (tenant, app, limit = 50) =>
      guard(async () => (await deployments.find({ tenant, app }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray()).map(toDeployment)),
    advance: (id, entry, update) =>
      guard(async () => {
        const { status, commit, error, changeRequest } = update;
        const fields = { status, commit, error, changeRequest, updatedAt: entry.at };
        const set = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
        const advanced = await deployments.findOneAndUpdate({ _id: id }, { $push: { timeline: entry }, $set: set }, { returnDocument: 'after' });
        return maybe(advanced, toDeployment);
      }),
    listOpen: (limit = 100) =>
      guard(async () =>
        (
          await deployments
            .find({ status: { $nin: [...FINAL_STATUSES] } })
            .sort({ createdAt: 1, _id: 1 })
            .limit(limit)
            .toArray()
        ).map(toDeployment),
      ),
  };
  return { store, flushOutbox };
}
