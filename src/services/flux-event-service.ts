import { createHash } from 'node:crypto';
import { appFluxFile } from '../domain/layout.js';
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
  readonly store: Pick<Store, 'deployments' | 'settings' | 'apps'>;
  readonly git: Pick<GitPort, 'isAncestor' | 'head' | 'readCommit' | 'tree'>;
  readonly gitops: { readonly branch: string };
  readonly now: () => Date;
}

/** Clocks of the cluster and of Berth may disagree this much. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Digests of the last events applied per app: a replay of one of them changes nothing. */
const REMEMBERED_EVENTS = 20;

/** What identifies one delivery of one event (Flux resends the same event on retry). */
function eventDigest(event: FluxAppEvent): string {
  return createHash('sha256')
    .update(JSON.stringify([event.revision ?? '', event.at ?? '', event.severity, event.reason, event.message]))
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Cross-checks against Git and the store before an event is believed (a
 * correctly signed event can still be a replay, stray or stale):
 * - the app must exist (no state is created for unknown apps);
 * - its revision must be a commit of the branch whose tree has the app (a
 *   commit of THAT app's history, not any commit, not one from before the
 *   app was created or after it was deleted);
 * - its timestamp may not predate that commit (an event cannot be older
 *   than what it reports on) nor lie in the future;
 * - it must not be older than the state already known, by timestamp and by
 *   commit order (a late delivery does not move the state back);
 * - a duplicate of a recent event is dropped.
 */
async function isBelievable(deps: FluxEventDeps, event: FluxAppEvent, previous: StoredStatus | undefined, digest: string): Promise<boolean> {
  if (!(await deps.store.apps.get(event.app.tenant, event.app.app))) return false;
  if (previous?.seen?.includes(digest)) return false;
  const nowMs = deps.now().getTime();
  const atMs = event.at === undefined ? nowMs : Date.parse(event.at);
  if (!Number.isFinite(atMs) || atMs > nowMs + CLOCK_SKEW_MS) return false;
  if (previous && atMs < Date.parse(previous.at)) return false;
  if (!event.revision) return true;
  const head = await deps.git.head(deps.gitops.branch);
  if (!head) return false;
  if (event.revision !== head && !(await deps.git.isAncestor(event.revision, head).catch(() => false))) return false;
  if (!(await inAppHistory(deps.git, event))) return false;
  const committedMs = (await deps.git.readCommit(event.revision)).committer.timestamp * 1000;
  if (atMs < committedMs - CLOCK_SKEW_MS) return false;
  if (!previous?.revision || previous.revision === event.revision) return true;
  // Strictly older than what is already known: ignored.
  return !(await deps.git.isAncestor(event.revision, previous.revision).catch(() => false));
}

/** Whether the app's Flux file is in the revision's tree: the revision is one at which Flux reconciles this app. */
async function inAppHistory(git: FluxEventDeps['git'], event: FluxAppEvent): Promise<boolean> {
  try {
    const tree = await git.tree(event.revision);
    return (await tree.oidAt(appFluxFile(event.app))) !== undefined;
  } catch {
    return false;
  }
}

/** The stored status plus the digests of recent events (not part of what the API shows). */
interface StoredStatus extends FluxStatus {
  readonly seen?: readonly string[];
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
  const previous = await deps.store.settings.get<StoredStatus>(fluxStatusKey(tenant, app));
  const digest = eventDigest(event);
  if (!(await isBelievable(deps, event, previous, digest))) return 0;
  const status: StoredStatus = {
    ready: event.severity === 'info' && event.reason === 'ReconciliationSucceeded',
    ...(event.revision ? { revision: event.revision } : {}),
    reason: event.reason,
    message: event.message.slice(0, 500),
    at: event.at ?? at,
    seen: [digest, ...(previous?.seen ?? [])].slice(0, REMEMBERED_EVENTS),
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
