import { randomUUID } from 'node:crypto';
import type { Store } from '../ports/store.js';
import type { Deployment, Job } from '../store/types.js';
import { parseDeployJobPayload, type DeployJobRequest } from './deploy-payload.js';

/** A deploy, rollback or delete to queue: the job payload without its deployment id. */
export type DeploymentRequest = DeployJobRequest extends infer R ? (R extends unknown ? Omit<R, 'deploymentId'> : never) : never;

export interface EnqueueOptions {
  readonly request: DeploymentRequest;
  /** `Idempotency-Key` header; scoped to the requesting user by the store. */
  readonly idempotencyKey?: string;
  readonly now: Date;
  /** Defaults to a random UUID; it is also the job id and the Git request id. */
  readonly id?: string;
}

/**
 * Writes a validated request as a queued deployment and its job in one
 * atomic store call, so an accepted request (202) is never lost and never
 * runs without a deployment to report on. With an idempotency key the user
 * already used, nothing is written and the earlier deployment comes back
 * (`created: false`). The caller kicks the runner afterwards.
 */
export async function enqueueDeployment(
  store: Pick<Store, 'deployments'>,
  options: EnqueueOptions,
): Promise<{ readonly deployment: Deployment; readonly created: boolean }> {
  const id = options.id ?? randomUUID();
  const at = options.now.toISOString();
  // Parse now: a payload that would not parse in the worker must not enter the queue.
  const payload = parseDeployJobPayload({ ...options.request, deploymentId: id });
  const deployment: Deployment = {
    id,
    tenant: payload.tenant,
    app: payload.app,
    kind: payload.kind,
    requestedBy: payload.actor.id,
    status: 'queued',
    ...(payload.message ? { message: payload.message } : {}),
    timeline: [
      { stage: 'validated', at },
      { stage: 'queued', at },
    ],
    createdAt: at,
    updatedAt: at,
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
  };
  const job: Job = { id, kind: payload.kind, payload, state: 'queued', attempts: 0, runAt: at, createdAt: at, updatedAt: at };
  return store.deployments.enqueue(deployment, job);
}
