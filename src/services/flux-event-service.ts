import type { GitPort } from '../ports/git.js';
import type { Store } from '../ports/store.js';
import type { Deployment } from '../store/types.js';
import { parseFluxAppEvent, verdictFor, type FluxAppEvent } from './flux-events.js';

/** Settings key of the last Flux event about an app: what its cluster status shows. */
export const fluxStatusKey = (tenant: string, app: string) => `flux.${tenant}/${app}`;

export interface FluxStatus {
  readonly ready: boolean;
  readonly revision?: string;
  readonly reason: string;
  readonly message: string;
  readonly at: string;
}

interface FluxEventDeps {
  readonly store: Pick<Store, 'deployments' | 'settings'>;
  readonly git: Pick<GitPort, 'isAncestor' | 'head'>;
  readonly gitops: { readonly branch: string };
  readonly now: () => Date;
}

/**
 * Cross-checks against Git before an event is believed: its revision must be
 * a commit of the branch (a forged or stray revision is not), and an event
 * about an older commit than the one already reported (a late delivery, a
 * retry) must not move the app's state back.
 */
async function isBelievable(deps: FluxEventDeps, event: FluxAppEvent, previous: FluxStatus | undefined): Promise<boolean> {
  if (!event.revision) return previous === undefined || (event.at ?? '') >= previous.at;
  const head = await deps.git.head(deps.gitops.branch);
  if (!head) return false;
  if (event.revision !== head && !(await deps.git.isAncestor(event.revision, head).catch(() => false))) return false;
  if (!previous?.revision || previous.revision === event.revision) return previous === undefined || event.at === undefined || event.at >= previous.at;
  // Strictly older than what is already known: ignored.
  return !(await deps.git.isAncestor(event.revision, previous.revision).catch(() => false));
}

/**
 * Moves an app's deployments on from `committed` when Flux reports on the
 * app's Kustomization: `reconciled` and `ready` once the commit is applied
 * and healthy, `failed` with Flux's message when it is not, `superseded` when
 * a later commit went live. Repeated events change nothing (only deployments
 * still waiting are looked at). Returns how many deployments moved.
 */
export async function applyFluxEvent(deps: FluxEventDeps, payload: unknown): Promise<number> {
  const event = parseFluxAppEvent(payload);
  if (!event) return 0;
  const at = deps.now().toISOString();
  const { tenant, app } = event.app;
  if (!(await isBelievable(deps, event, await deps.store.settings.get<FluxStatus>(fluxStatusKey(tenant, app))))) return 0;
  const status: FluxStatus = {
    ready: event.severity === 'info' && event.reason === 'ReconciliationSucceeded',
    ...(event.revision ? { revision: event.revision } : {}),
    reason: event.reason,
    message: event.message.slice(0, 500),
    at: event.at ?? at,
  };
  await deps.store.settings.put(fluxStatusKey(tenant, app), status, at);
  if (!event.revision) return 0;
  const waiting = (await deps.store.deployments.listByApp(tenant, app, 50)).filter(
    (d) => d.commit !== undefined && (d.status === 'committed' || d.status === 'reconciled'),
  );
  let moved = 0;
  for (const deployment of waiting) {
    if (await advance(deps, deployment, event, at)) moved += 1;
  }
  return moved;
}

async function relationOf(git: FluxEventDeps['git'], commit: string, revision: string): Promise<'same' | 'ancestor' | 'other'> {
  if (commit === revision) return 'same';
  // A revision this replica has not fetched yet is simply not known to include the commit.
  return (await git.isAncestor(commit, revision).catch(() => false)) ? 'ancestor' : 'other';
}

async function advance(deps: FluxEventDeps, deployment: Deployment, event: FluxAppEvent, at: string): Promise<boolean> {
  const commit = deployment.commit ?? '';
  const revision = event.revision ?? '';
  const verdict = verdictFor(event, commit, await relationOf(deps.git, commit, revision));
  const short = revision.slice(0, 12);
  const deployments = deps.store.deployments;
  if (verdict === 'ready') {
    if (deployment.status === 'committed') {
      await deployments.advance(deployment.id, { stage: 'reconciled', at, detail: `Flux applied ${short}` }, { status: 'reconciled' });
    }
    await deployments.advance(deployment.id, { stage: 'ready', at, detail: 'health checks passed' }, { status: 'ready' });
    return true;
  }
  if (verdict === 'failed') {
    const error = `${event.reason}: ${event.message}`.slice(0, 1_000);
    await deployments.advance(deployment.id, { stage: 'failed', at, detail: error }, { status: 'failed', error });
    return true;
  }
  if (verdict === 'superseded') {
    await deployments.advance(deployment.id, { stage: 'superseded', at, detail: `a later commit (${short}) is live` }, { status: 'superseded' });
    return true;
  }
  return false;
}
