import { requireRole } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import { parseAppKey } from '../domain/names.js';
import type { OperationResult } from '../gitops/operation.js';
import type { ServiceDeps } from './service-deps.js';
import { actorOf as actorOfUser } from './actor.js';

/**
 * Operator calls on the apps repository. Each is one GitOps operation,
 * idempotent per request id, so a client retrying with the same
 * X-Request-Id gets the first commit back instead of a second one.
 */
export function createOpsService(deps: ServiceDeps) {
  const actorOf = (principal: Principal) => actorOfUser(deps.store.users, principal);

  const commitOf = (result: OperationResult) => ({ status: result.status, commit: 'commit' in result ? (result.commit ?? null) : null });

  return {
    async commits(principal: Principal, limit: number) {
      requireRole(principal, 'operator');
      const commits = await deps.git.log(deps.gitops.branch, { limit });
      return commits.map((c) => ({
        sha: c.sha,
        subject: c.subject,
        author: `${c.author.name} <${c.author.email}>`,
        at: new Date(c.author.timestamp * 1000).toISOString(),
        trailers: c.trailers,
      }));
    },

    async revert(principal: Principal, commit: string, requestId: string) {
      requireRole(principal, 'operator');
      return commitOf(await deps.gitops.revert(commit, { actor: await actorOf(principal), requestId }));
    },

    async pinRunner(principal: Principal, input: { image: string; digest: string; apps?: string[] | undefined }, requestId: string) {
      requireRole(principal, 'operator');
      const apps = input.apps?.map(parseAppKey);
      return commitOf(await deps.gitops.pinRunner({ image: input.image, digest: input.digest }, apps, { actor: await actorOf(principal), requestId }));
    },

    /** Activity comes from the store (deploys, edits, pings); a dry run only lists. */
    async cleanup(principal: Principal, input: { dryRun: boolean; inactiveHours?: number | undefined }, requestId: string) {
      requireRole(principal, 'operator');
      const activity = new Map<string, Date>();
      for (const app of await deps.store.apps.list()) activity.set(`${app.tenant}/${app.name}`, new Date(app.lastActivityAt));
      const policy = input.inactiveHours
        ? { sleepAfterHours: input.inactiveHours, deleteAfterHours: Math.max(input.inactiveHours, deps.cleanupPolicy.deleteAfterHours) }
        : deps.cleanupPolicy;
      const result = await deps.gitops.cleanup(activity, { actor: await actorOf(principal), requestId, dryRun: input.dryRun }, policy);
      const apps = [
        ...result.plan.sleep.map((a) => ({ app: `${a.tenant}/${a.app}`, action: 'sleep' })),
        ...result.plan.delete.map((a) => ({ app: `${a.tenant}/${a.app}`, action: 'delete' })),
      ];
      const last = result.delete ?? result.sleep;
      const commit = last && 'commit' in last ? last.commit : undefined;
      return { apps, dryRun: input.dryRun, ...(commit ? { commit } : {}) };
    },
  };
}
