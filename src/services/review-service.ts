import type { Principal } from '../auth/principal.js';
import { canReadApp, hasRole, requireApprover, requireRole } from '../auth/authorize.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { GitPort } from '../ports/git.js';
import type { DeployJobPayload } from '../jobs/deploy-payload.js';
import { parseDeployJobPayload } from '../jobs/deploy-payload.js';
import { commitDeployment } from '../jobs/deploy-job.js';
import {
  approversOf,
  changeRequestIdOf,
  reviewBranchOf,
  reviewedByTrailers,
  type ChangeRequestRecord,
  type ChangeRequestState,
  type Person,
} from '../reviews/change-request.js';
import { changeRequestBody, changeRequestView } from '../reviews/views.js';
import { actorOf } from './actor.js';
import { formatCommitMessage } from '../domain/trailers.js';
import { sleep } from '../backoff.js';
import type { ChangeRequestRecords, ReviewBackend } from './review-port.js';
import type { PullRequestSource } from './review-github-sync.js';
import { appPolicyKey, effectiveMode } from './review-policy.js';
import type { ServiceDeps } from './service-deps.js';

/** What review mode needs beyond the other services' deps; built in src/compose.ts. */
export interface ReviewWiring {
  readonly backend: ReviewBackend;
  readonly records: ChangeRequestRecords;
  readonly git: Pick<GitPort, 'head' | 'updateBranch' | 'readCommit' | 'isAncestor'>;
  /** Seconds from opened to verdict, for /metrics. */
  readonly onVerdict?: (seconds: number, verdict: 'approve' | 'reject') => void;
  /** With the GitHub backend: its pull requests, for the webhook and the poll (src/services/review-github-sync.ts). */
  readonly pullRequests?: PullRequestSource;
}

/**
 * Review mode: a deploy's commit goes to its own branch and becomes a
 * change request (opened by the job runner through {@link open}); someone
 * other than the author approves it onto main or rejects it.
 */
export function createReviewService(deps: ServiceDeps, wiring: ReviewWiring) {
  const { store, gitops } = deps;
  const { records, backend, git } = wiring;
  const entry = (stage: string, detail?: string) => ({ stage, at: deps.now().toISOString(), ...(detail ? { detail } : {}) });

  async function load(principal: Principal, id: string): Promise<ChangeRequestRecord> {
    const record = await records.get(id);
    // Another tenant's requests are not confirmed to exist to someone who may not read them.
    if (!record || !(hasRole(principal, 'reviewer') || canReadApp(principal, record.tenant))) throw new NotFoundError(`change request ${id} does not exist`);
    return record;
  }

  function requireOpen(record: ChangeRequestRecord): void {
    if (record.state !== 'open') throw new ConflictError(`change request ${record.id} is ${record.state}, no longer open`, { state: record.state });
  }

  /** Closes a request in Berth and at the backend; the deployment ends with it. */
  async function close(record: ChangeRequestRecord, state: Exclude<ChangeRequestState, 'open'>, note: string, extra: Partial<ChangeRequestRecord> = {}) {
    const at = deps.now().toISOString();
    const closed = await records.update(record.id, (r) => ({ ...r, ...extra, state, note, closedAt: at, updatedAt: at }));
    await backend.closed(closed ?? record);
    return closed ?? record;
  }

  async function supersedeOthers(record: ChangeRequestRecord): Promise<void> {
    for (const older of await records.list({ state: 'open', tenant: record.tenant, app: record.app })) {
      if (older.id === record.id) continue;
      const note = `superseded by change request ${record.id}, a newer deploy of ${record.tenant}/${record.app}`;
      await close(older, 'superseded', note);
      await store.deployments.advance(older.deploymentId, entry('superseded', note), { status: 'superseded' });
    }
  }

  /** The job's request, as stored with its deployment: what approval commits again, on main. */
  async function requestOf(record: ChangeRequestRecord): Promise<DeployJobPayload> {
    const job = await store.jobs.get(record.deploymentId);
    if (!job) throw new NotFoundError(`the deploy request behind change request ${record.id} is gone`);
    return parseDeployJobPayload(job.payload);
  }

  async function land(record: ChangeRequestRecord, approvers: readonly Person[]): Promise<ChangeRequestRecord> {
    const main = await git.head(gitops.branch);
    let commit: string;
    try {
      commit = backend.land ? await followMain(await backend.land(record, landingMessage(record, approvers))) : await commitOnMain(record, approvers);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const message = backend.land
        ? error.message
        : `${record.tenant}/${record.app} changed on ${gitops.branch} since this change was branched from ${record.base?.slice(0, 12) ?? 'it'}: landing it would overwrite that change; the author must deploy again`;
      const at = deps.now().toISOString();
      await records.update(record.id, (r) => ({ ...r, conflict: { message, at, ...(main ? { main } : {}) }, updatedAt: at }));
      await store.deployments.advance(record.deploymentId, entry('conflict', message), { status: 'awaiting_review' });
      throw new ConflictError(message, { changeRequest: record.id, ...(main ? { main } : {}) });
    }
    return landed(record, commit, approvers.map((a) => a.username).join(', '));
  }

  /** Waits (bounded) until Berth's copy of main has a commit the backend made on the Git host, so the next branch starts from it. */
  async function followMain(commit: string): Promise<string> {
    for (let attempt = 0; attempt < 40; attempt++) {
      const head = await git.head(gitops.branch);
      if (head === commit || (head && (await git.isAncestor(commit, head).catch(() => false)))) return commit;
      await sleep(250);
    }
    return commit;
  }

  /** Planned again on main as it is now, guarded by the branch's base: a moved main for other apps is fine, this app's folder changed is a conflict. */
  async function commitOnMain(record: ChangeRequestRecord, approvers: readonly Person[]): Promise<string> {
    const result = await commitDeployment(gitops, await requestOf(record), {
      branch: gitops.branch,
      ...(record.base ? { base: record.base } : {}),
      extraTrailers: reviewedByTrailers(approvers),
    });
    if (result.status === 'planned' || result.commit === undefined) throw new Error(`landing change request ${record.id} made no commit`);
    return result.commit;
  }

  /** The change is on main (landed by Berth, merged by the backend, or merged by a person on the Git host): the deployment goes on. */
  async function landed(record: ChangeRequestRecord, commit: string, by: string): Promise<ChangeRequestRecord> {
    const at = deps.now().toISOString();
    await store.apps.setLive(record.tenant, record.app, commit, at);
    await store.deployments.advance(record.deploymentId, entry('approved', `by ${by}`), { status: 'approved' });
    const merged = await close(record, 'merged', `approved by ${by}`, { mergedCommit: commit });
    await store.deployments.advance(record.deploymentId, entry('committed', `landed on ${gitops.branch} as ${commit.slice(0, 12)}`), {
      status: 'committed',
      commit,
    });
    deps.runtime?.kick();
    return merged;
  }

  const view = (record: ChangeRequestRecord) => changeRequestView(record, deps.now());
  const secondsOpen = (record: ChangeRequestRecord) => (deps.now().getTime() - Date.parse(record.createdAt)) / 1000;

  return {
    /**
     * The job runner's half: branch from main, commit there, record and
     * publish the request, then move the deployment to `awaiting_review`.
     * Every step finds what an earlier attempt did (same branch, same
     * Berth-Request, same request id), so a crash anywhere opens no duplicate.
     */
    async open(request: DeployJobPayload): Promise<void> {
      const id = changeRequestIdOf(request.deploymentId);
      const branch = reviewBranchOf(request.tenant, request.app, id);
      const known = await records.get(id);
      if (!known) {
        if ((await git.head(branch)) === undefined) {
          const main = await git.head(gitops.branch);
          if (!main) throw new ConflictError(`the apps repository has no ${gitops.branch} branch to open a change request against`);
          await git.updateBranch(branch, main, undefined);
        }
        const result = await commitDeployment(gitops, request, { branch });
        if (result.status === 'planned' || result.commit === undefined) throw new Error('the review branch has no commit');
        const base = await baseOf(result.commit, result.status);
        if (result.status === 'unchanged') {
          await backend.closed({ branch } as ChangeRequestRecord);
          await store.deployments.advance(request.deploymentId, entry('committed', `no changes against ${gitops.branch}: nothing to review`), {
            status: 'committed',
            commit: result.commit,
          });
          return;
        }
        const at = deps.now().toISOString();
        const deployment = await store.deployments.get(request.deploymentId);
        const record: ChangeRequestRecord = {
          id,
          deploymentId: request.deploymentId,
          tenant: request.tenant,
          app: request.app,
          kind: request.kind === 'rollback' ? 'rollback' : 'deploy',
          author: request.actor,
          ...(request.message ? { message: request.message } : {}),
          branch,
          ...(base ? { base } : {}),
          commit: result.commit,
          state: 'open',
          verdicts: [],
          comments: [],
          // Deploy requests are validated before they are queued (422 otherwise); rendering checked the manifests on commit.
          validation: { passed: true, problems: [], checkedAt: deployment?.createdAt ?? at },
          createdAt: at,
          updatedAt: at,
        };
        await records.put(record);
      }
      const record = (await records.get(id)) as ChangeRequestRecord;
      if (record.state !== 'open') return;
      const published = await backend.publish(record, changeRequestBody(record, await gitops.appDiff(record, record.base, record.commit)));
      if (published.url !== record.externalUrl || published.number !== record.externalNumber) {
        await records.update(id, (r) => ({
          ...r,
          ...(published.url ? { externalUrl: published.url } : {}),
          ...(published.number !== undefined ? { externalNumber: published.number } : {}),
        }));
      }
      await supersedeOthers(record);
      await store.deployments.advance(request.deploymentId, entry('awaiting_review', `change request ${id}: /reviews/${id}`), {
        status: 'awaiting_review',
        changeRequest: id,
      });
    },

    async list(principal: Principal, state: ChangeRequestState | 'all') {
      const all = await records.list(state === 'all' ? {} : { state });
      return all.filter((r) => hasRole(principal, 'reviewer') || canReadApp(principal, r.tenant)).map(view);
    },

    async get(principal: Principal, id: string) {
      const record = await load(principal, id);
      return { changeRequest: view(record), diff: await gitops.appDiff(record, record.base, record.commit) };
    },

    async approve(principal: Principal, id: string, comment: string | undefined) {
      const record = await load(principal, id);
      requireApprover(principal, record.author.id);
      requireOpen(record);
      const reviewer = await actorOf(store.users, principal);
      const at = deps.now().toISOString();
      const updated = await records.update(id, (r) => ({
        ...r,
        verdicts: [...r.verdicts, { reviewer, verdict: 'approve', ...(comment ? { comment } : {}), at }],
        comments: comment ? [...r.comments, { by: reviewer.username, body: comment, at }] : r.comments,
        updatedAt: at,
      }));
      if (!updated) throw new NotFoundError(`change request ${id} does not exist`);
      requireOpen(updated);
      await backend.approved?.(updated, comment);
      const merged = await land(updated, approversOf(updated.verdicts));
      wiring.onVerdict?.(secondsOpen(merged), 'approve');
      return view(merged);
    },

    async reject(principal: Principal, id: string, comment: string) {
      const record = await load(principal, id);
      requireRole(principal, 'reviewer');
      requireOpen(record);
      const reviewer = await actorOf(store.users, principal);
      const at = deps.now().toISOString();
      await records.update(id, (r) => ({
        ...r,
        verdicts: [...r.verdicts, { reviewer, verdict: 'reject', comment, at }],
        comments: [...r.comments, { by: reviewer.username, body: comment, at }],
      }));
      const closed = await close(record, 'rejected', `rejected by ${reviewer.username}: ${comment}`);
      await store.deployments.advance(record.deploymentId, entry('rejected', `by ${reviewer.username}: ${comment}`), { status: 'rejected' });
      wiring.onVerdict?.(secondsOpen(closed), 'reject');
      return view(closed);
    },

    /** The author, reviewers and the tenant may comment on an open or closed request. */
    async comment(principal: Principal, id: string, body: string) {
      await load(principal, id);
      const by = (await actorOf(store.users, principal)).username;
      const at = deps.now().toISOString();
      const updated = await records.update(id, (r) => ({ ...r, comments: [...r.comments, { by, body, at }], updatedAt: at }));
      return view(updated as ChangeRequestRecord);
    },

    /** A verdict given on the Git host (a webhook or a poll saw it): the same rules as in Berth, the author never counts. */
    async approvedElsewhere(id: string, reviewer: Person): Promise<ChangeRequestRecord | undefined> {
      const record = await records.get(id);
      if (!record || record.state !== 'open' || reviewer.username === record.author.username || reviewer.id === record.author.id) return undefined;
      const at = deps.now().toISOString();
      const updated = await records.update(id, (r) => ({ ...r, verdicts: [...r.verdicts, { reviewer, verdict: 'approve', at }], updatedAt: at }));
      if (!updated) return undefined;
      const merged = await land(updated, approversOf(updated.verdicts));
      wiring.onVerdict?.(secondsOpen(merged), 'approve');
      return merged;
    },

    /** Merged on the Git host by a person: Berth follows. */
    async mergedElsewhere(id: string, commit: string, by: string): Promise<ChangeRequestRecord | undefined> {
      const record = await records.get(id);
      if (!record || record.state !== 'open') return undefined;
      return landed(record, await followMain(commit), `${by} on the Git host`);
    },

    /** Closed unmerged on the Git host: like a rejection. */
    async closedElsewhere(id: string, by: string): Promise<ChangeRequestRecord | undefined> {
      const record = await records.get(id);
      if (!record || record.state !== 'open') return undefined;
      const closed = await close(record, 'rejected', `closed unmerged by ${by} on the Git host`);
      await store.deployments.advance(record.deploymentId, entry('rejected', `closed by ${by} on the Git host`), { status: 'rejected' });
      return closed;
    },

    openRecords: () => records.list({ state: 'open' }),

    async countOpen(): Promise<number> {
      return (await records.list({ state: 'open' })).length;
    },

    modeOf: (tenant: string, app: string) => effectiveMode(store.settings, tenant, app),

    /** An admin's per-app policy; `inherit` follows the tenant's again. */
    async setAppPolicy(principal: Principal, tenant: string, app: string, mode: 'auto' | 'review' | 'inherit') {
      requireRole(principal, 'admin');
      if (!(await store.apps.get(tenant, app))) throw new NotFoundError(`app ${tenant}/${app} does not exist`);
      await store.settings.put(appPolicyKey(tenant, app), mode === 'inherit' ? {} : { mode }, deps.now().toISOString());
      return { tenant, app, ...(await effectiveMode(store.settings, tenant, app)) };
    },
  };

  /** The commit a backend lands: Berth's subject and trailers, with the approvers. */
  function landingMessage(record: ChangeRequestRecord, approvers: readonly Person[]) {
    const key = `${record.tenant}/${record.app}`;
    const title = `${record.kind} ${key}${record.message ? `: ${record.message.replace(/[\r\n]+/g, ' ').trim()}` : ''}`;
    const full = formatCommitMessage(
      title,
      { action: record.kind, apps: [key], requestId: record.deploymentId, actor: record.author.id },
      undefined,
      reviewedByTrailers(approvers),
    );
    return { title, message: full.slice(full.indexOf('\n\n') + 2) };
  }

  /** The main commit a review branch was made from: the parent of its one commit. */
  async function baseOf(commit: string, status: 'committed' | 'duplicate' | 'unchanged'): Promise<string | undefined> {
    if (status === 'unchanged') return commit;
    return (await git.readCommit(commit)).parents[0];
  }
}

export type ReviewService = ReturnType<typeof createReviewService>;
