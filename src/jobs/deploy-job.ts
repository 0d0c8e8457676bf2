import { z } from 'zod';
import { ConflictError, NotFoundError, RetryExhaustedError } from '../errors.js';
import type { CallOptions, GitOps } from '../gitops/gitops.js';
import type { OperationResult } from '../gitops/operation.js';
import type { Store } from '../ports/store.js';
import type { DeploymentStatus, Job, TimelineEntry } from '../store/types.js';
import { parseDeployJobPayload, type DeployJobPayload } from './deploy-payload.js';
import type { JobContext, JobHandler } from './runner.js';

export interface DeployHandlerDeps {
  readonly store: Pick<Store, 'deployments' | 'apps'>;
  /** `releases` names the app's own commit when a change makes none (absent: the branch head is reported). */
  readonly gitops: Pick<GitOps, 'deploy' | 'rollback' | 'delete'> & Partial<Pick<GitOps, 'releases'>>;
  readonly now?: () => Date;
  /** Review mode: a request marked `review` is committed to its own branch and opened as a change request here. */
  readonly review?: { open(request: DeployJobPayload, signal: AbortSignal): Promise<void> };
}

const deploymentRef = z.object({ deploymentId: z.string().min(1) });

/**
 * The handler for `deploy`, `rollback` and `delete` jobs: one commit through
 * the GitOps core, each stage on the deployment's timeline. The Git request
 * id is the deployment id, so an attempt after a crash (even one between the
 * commit and recording it) finds the commit instead of making a second one.
 */
export function createDeployHandler(deps: DeployHandlerDeps): JobHandler {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const entry = (stage: string, detail?: string): TimelineEntry => ({ stage, at: now().toISOString(), ...(detail ? { detail } : {}) });

  /** Advances only a deployment still waiting for its commit: an earlier attempt may have settled it. */
  async function advanceOpen(job: Job, stage: string, detail: string, status: DeploymentStatus, error?: string) {
    const ref = deploymentRef.safeParse(job.payload);
    if (!ref.success) return;
    const deployment = await store.deployments.get(ref.data.deploymentId);
    if (deployment?.status !== 'queued') return;
    await store.deployments.advance(deployment.id, entry(stage, detail), { status, ...(error ? { error } : {}) });
  }

  return {
    async run(payload: unknown, context: JobContext) {
      const request = parseDeployJobPayload(payload);
      const deployment = await store.deployments.get(request.deploymentId);
      if (!deployment) throw new NotFoundError(`deployment ${request.deploymentId} no longer exists`);
      if (deployment.status !== 'queued') return;
      const attempt = context.job.attempts > 1 ? `attempt ${context.job.attempts}` : undefined;
      await store.deployments.advance(deployment.id, entry('committing', attempt), { status: 'queued' });
      context.signal.throwIfAborted();
      // A delete queued before this deploy or rollback removed the record: committing would leave Git and the store disagreeing.
      if (request.kind !== 'delete' && !(await store.apps.get(request.tenant, request.app))) {
        throw new ConflictError(`app ${request.tenant}/${request.app} was deleted before this ${request.kind} ran; recreate it and deploy`);
      }
      if (request.review && request.kind !== 'delete' && deps.review) return deps.review.open(request, context.signal);
      const result = await commitDeployment(deps.gitops, request).catch((error: unknown) => {
        throw inUserTerms(error, request);
      });
      await recordCommit(request, result);
    },
    retrying: (job, message, retryAt) => advanceOpen(job, 'retrying', `${message}; next attempt after ${retryAt}`, 'queued'),
    failed: (job, message) => advanceOpen(job, 'failed', message, 'failed', message),
  };

  async function recordCommit(request: DeployJobPayload, result: OperationResult): Promise<void> {
    if (result.status === 'planned' || result.commit === undefined) {
      throw new Error(`the GitOps core answered ${result.status} without a commit for a real ${request.kind}`);
    }
    const at = now().toISOString();
    const wrote = result.status === 'committed' || result.status === 'duplicate';
    // The app record first: a crash after `advance` would skip it on the re-run, which sees `committed`.
    if (wrote && request.kind === 'delete') await store.apps.remove(request.tenant, request.app);
    if (wrote && request.kind !== 'delete') await store.apps.setLive(request.tenant, request.app, result.commit, at);
    // Unchanged: the branch head may be another app's commit; name the app's own latest release instead.
    const commit = result.status === 'unchanged' && request.kind !== 'delete' ? ((await latestRelease(request)) ?? result.commit) : result.commit;
    const detail =
      result.status === 'unchanged'
        ? `no changes: ${request.tenant}/${request.app} is already at ${commit}`
        : result.status === 'duplicate'
          ? 'found the commit of an earlier attempt'
          : undefined;
    await store.deployments.advance(request.deploymentId, entry('committed', detail), { status: 'committed', commit });
  }

  async function latestRelease(request: DeployJobPayload): Promise<string | undefined> {
    const [latest] = (await deps.gitops.releases?.({ tenant: request.tenant, app: request.app }, 1)) ?? [];
    return latest?.commit;
  }
}

/** The request's one commit; `extra` (review mode) names another branch, base or trailers. */
export function commitDeployment(gitops: DeployHandlerDeps['gitops'], request: DeployJobPayload, extra: Partial<CallOptions> = {}): Promise<OperationResult> {
  const call = { actor: request.actor, requestId: request.deploymentId, ...(request.base ? { base: request.base } : {}), ...extra };
  const ref = { tenant: request.tenant, app: request.app };
  switch (request.kind) {
    case 'deploy':
      return gitops.deploy(
        {
          ...ref,
          owner: request.owner ?? request.actor.username,
          entrypoint: request.entrypoint,
          files: request.files,
          env: request.env,
          ...(request.secretEnv ? { secretEnv: request.secretEnv } : {}),
          ...(request.secretSopsYaml !== undefined ? { secretSopsYaml: request.secretSopsYaml } : {}),
          ...(request.message ? { message: request.message } : {}),
        },
        call,
      );
    case 'rollback':
      return gitops.rollback({ ...ref, to: request.to }, call);
    case 'delete':
      return gitops.delete([ref], call);
  }
}

/** Turns GitOps errors into what the person who deployed can do about them. */
function inUserTerms(error: unknown, request: DeployJobPayload): unknown {
  // Losing the compare-and-swap race too often is contention, not a real conflict: retriable, the runner tries again later.
  if (error instanceof RetryExhaustedError) return new RetryExhaustedError(`the apps repository was too busy to take the ${request.kind}: ${error.message}`);
  if (!(error instanceof ConflictError)) return error;
  return new ConflictError(`${request.kind} conflicts with a newer change to ${request.tenant}/${request.app}: reload and deploy again`, error.details);
}
