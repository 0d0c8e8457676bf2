/** Durable jobs: the runner, the deploy handler, enqueueing, node ids and periodic tasks. */
export {
  createJobRunner,
  type JobContext,
  type JobHandler,
  type JobLogger,
  type JobMetrics,
  type JobOutcome,
  type JobRunner,
  type JobRunnerOptions,
} from './runner.js';
export { DEFAULT_BACKOFF, isTransient, markTransient, retryDelayMs, describeFailure, type BackoffOptions } from './retry-policy.js';
export { createDeployHandler, type DeployHandlerDeps } from './deploy-job.js';
export { DEPLOY_JOB_KINDS, deployJobPayloadSchema, parseDeployJobPayload, type DeployJobPayload, type DeployJobRequest } from './deploy-payload.js';
export { enqueueDeployment, type DeploymentRequest, type EnqueueOptions } from './requests.js';
export { readNodeId, randomOwnerId } from './node-id.js';
export { createPeriodicTasks, type PeriodicRun, type PeriodicTask, type PeriodicTasks, type PeriodicTasksOptions } from './periodic.js';
export { cleanupTask, upgradeCheckTask, SYSTEM_ACTOR, type CleanupTaskOptions, type UpgradeCheckOptions } from './periodic-tasks.js';
