import type { GitPort } from '../ports/git.js';
import type { Store } from '../ports/store.js';
import type { RuntimeReport } from './runtime-port.js';

interface ProgressDeps {
  readonly store: Pick<Store, 'deployments'>;
  readonly git: Pick<GitPort, 'isAncestor'>;
}

/**
 * Moves an app's waiting deployments on when its runtime reports: the
 * deployment of the reported commit to `reconciled` and `ready` (or to
 * `failed` with the runtime's message); an older one to `superseded` once a
 * later commit that includes it is ready. What Flux's events do in a
 * cluster (flux-event-service.ts), for the local runtime. Returns how many moved.
 */
export async function applyRuntimeReport(deps: ProgressDeps, report: RuntimeReport): Promise<number> {
  const { tenant, app } = report.app;
  const waiting = (await deps.store.deployments.listByApp(tenant, app, 50)).filter(
    (d) => d.commit !== undefined && (d.status === 'committed' || d.status === 'reconciled'),
  );
  const short = report.commit.slice(0, 12);
  let moved = 0;
  for (const deployment of waiting) {
    const commit = deployment.commit ?? '';
    if (commit === report.commit) {
      if (report.outcome === 'failed') {
        const error = report.message.slice(0, 1_000);
        await deps.store.deployments.advance(deployment.id, { stage: 'failed', at: report.at, detail: error }, { status: 'failed', error });
      } else {
        if (deployment.status === 'committed') {
          await deps.store.deployments.advance(
            deployment.id,
            { stage: 'reconciled', at: report.at, detail: `the local runtime runs ${short}` },
            { status: 'reconciled' },
          );
        }
        await deps.store.deployments.advance(deployment.id, { stage: 'ready', at: report.at, detail: report.message }, { status: 'ready' });
      }
      moved += 1;
    } else if (report.outcome === 'ready' && (await deps.git.isAncestor(commit, report.commit).catch(() => false))) {
      await deps.store.deployments.advance(
        deployment.id,
        { stage: 'superseded', at: report.at, detail: `a later commit (${short}) is live` },
        { status: 'superseded' },
      );
      moved += 1;
    }
  }
  return moved;
}
