/** The durable job queue on MongoDB: every state change is one conditional single-document update. */
import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import type { JobStore } from '../../ports/store.js';
import type { Job } from '../../store/types.js';
import { toInstant, toJsonText } from '../../store/record-schemas.js';
import { toJob } from './mongo-docs.js';
import type { DeploymentDoc, JobDoc } from './mongo-docs.js';
import { guard } from './mongo-errors.js';
import { maybe } from './mongo-users.js';

/** A job as stored: times in one canonical shape so that text comparison orders them. */
export function fromJob(job: Job): JobDoc {
  const { id, payload, runAt, leaseUntil, ...rest } = job;
  return {
    ...rest,
    _id: id,
    payload: toJsonText(payload),
    runAt: toInstant(runAt),
    ...(leaseUntil === undefined ? {} : { leaseUntil: toInstant(leaseUntil) }),
  };
}

/** Publishes pending outbox jobs before claims; supplied by the deployment store. */
export type OutboxFlush = () => Promise<void>;

/** The JobStore on MongoDB. */
export function createMongoJobs(db: Db, flushOutbox: OutboxFlush): JobStore {
  const jobs: Collection<JobDoc> = db.collection('jobs');
  const deployments: Collection<DeploymentDoc> = db.collection('deployments');
  const owned = (id: string, owner: string): Filter<JobDoc> => ({ _id: id, leaseOwner: owner, state: 'running' });

  return {
    enqueue: (job) => guard(async () => void (await jobs.insertOne(fromJob(job)))),
    // findOneAndUpdate picks and takes the oldest runnable job in one
    // atomic step, so concurrent claimers never share a job.
    claim: (owner, now, leaseUntil, kinds) =>
      guard(async () => {
        await flushOutbox();
        const at = toInstant(now);
        const filter: Filter<JobDoc> = {
          $or: [
            { state: 'queued', runAt: { $lte: at } },
            { state: 'running', leaseUntil: { $lte: at } },
          ],
          ...(kinds === undefined ? {} : { kind: { $in: [...kinds] } }),
        };
        const claimed = await jobs.findOneAndUpdate(
          filter,
          { $set: { state: 'running', leaseOwner: owner, leaseUntil: toInstant(leaseUntil), updatedAt: now }, $inc: { attempts: 1 } },
          { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' },
        );
        return maybe(claimed, toJob);
      }),
    heartbeat: (id, owner, leaseUntil) =>
      guard(async () => (await jobs.updateOne(owned(id, owner), { $set: { leaseUntil: toInstant(leaseUntil) } })).modifiedCount === 1),
    complete: (id, owner, now) =>
      guard(async () => (await jobs.updateOne(owned(id, owner), { $set: { state: 'done', updatedAt: now }, $unset: { leaseUntil: '' } })).matchedCount === 1),
    fail: (id, owner, error, now, retryAt) =>
      guard(async () => {
        const update: UpdateFilter<JobDoc> =
          retryAt === undefined
            ? { $set: { state: 'failed', lastError: error, updatedAt: now }, $unset: { leaseUntil: '' } }
            : {
                $set: { state: 'queued', runAt: toInstant(retryAt), lastError: error, updatedAt: now },
                $unset: { leaseOwner: '', leaseUntil: '' },
              };
        return (await jobs.updateOne(owned(id, owner), update)).matchedCount === 1;
      }),
    releaseAll: (owner, now) =>
      guard(async () => {
        const at = toInstant(now);
        const released = await jobs.updateMany(
          { leaseOwner: owner, state: 'running' },
          { $set: { state: 'queued', runAt: at, updatedAt: now }, $unset: { leaseOwner: '', leaseUntil: '' } },
        );
        return released.modifiedCount;
      }),
    get: (id) =>
      guard(async () => {
        const stored = await jobs.findOne({ _id: id });
        if (stored !== null) return toJob(stored);
        // Written with its deployment but not yet published: it exists all the same.
        const pending = await deployments.findOne({ 'outbox._id': id }, { projection: { outbox: 1 } });
        return maybe(pending?.outbox, toJob);
      }),
    stats: (now) =>
      guard(async () => {
        const [queued, running, oldest] = await Promise.all([
          jobs.countDocuments({ state: 'queued' }),
          jobs.countDocuments({ state: 'running' }),
          jobs.findOne({ state: 'queued' }, { sort: { createdAt: 1 }, projection: { createdAt: 1 } }),
        ]);
        const ageMs = oldest === null ? 0 : Date.parse(now) - Date.parse(oldest.createdAt);
        return { queued, running, oldestQueuedSeconds: Math.max(0, ageMs / 1000) };
      }),
  };
}
