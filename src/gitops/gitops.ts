import { appDir, appFluxFile, CODE_DIR } from '../domain/layout.js';
import { ambiguousPrefixMessage, matchCommitPrefix } from '../domain/commit-prefix.js';
import { ConflictError } from '../errors.js';
import { appRef, type AppRef } from '../domain/names.js';
import { readBerthTrailers, type Action } from '../domain/trailers.js';
import type { RunnerImage } from '../domain/app-spec.js';
import { readAppSpec } from './app-tree.js';
import type { PlanContext } from './context.js';
import { FleetIndex, type FleetIndexStore } from './fleet-index.js';
import type { GitPort } from '../ports/git.js';
import type { Actor, Operation, OperationResult } from './operation.js';
import {
  planCleanup,
  cleanupDeleteOperation,
  cleanupSleepOperation,
  DEFAULT_CLEANUP_POLICY,
  type CleanupPlan,
  type CleanupPolicy,
} from './operations/cleanup.js';
import { deployOperation, type DeployInput } from './operations/deploy.js';
import { deleteOperation, sleepOperation, wakeOperation } from './operations/lifecycle.js';
import { pinRunnerOperation } from './operations/pin-runner.js';
import { revertOperation } from './operations/revert.js';
import { rollbackOperation } from './operations/rollback.js';
import { upgradeOperation, type OutdatedApp } from './operations/upgrade.js';
import { runOperation, type RunOptions } from './run-operation.js';

/** Per call: who acts, the idempotency key, and optionally a base, a dry run or another branch. */
export interface CallOptions {
  readonly actor: Actor;
  readonly requestId: string;
  readonly base?: string;
  readonly dryRun?: boolean;
  readonly branch?: string;
  readonly timestamp?: number;
  readonly extraTrailers?: readonly string[];
}

export interface Release {
  readonly commit: string;
  readonly action: Action | undefined;
  readonly actor: string | undefined;
  readonly author: string;
  readonly at: string;
  readonly message: string;
}

export interface CleanupResult {
  readonly plan: CleanupPlan;
  readonly sleep?: OperationResult;
  readonly delete?: OperationResult;
}

export interface GitOpsOptions {
  readonly git: GitPort;
  readonly context: PlanContext;
  /** Branch Berth deploys to in auto mode. */
  readonly branch?: string;
  /** The clock (commit times of planned operations, cleanup ages): an input, so planning stays pure. */
  readonly now: () => Date;
  /** Keeps the fleet index (see fleet-index.ts) across restarts; without it the first periodic run reads every app once. */
  readonly fleetIndexStore?: FleetIndexStore;
}

/**
 * The GitOps core the service calls: every method plans over a tree and
 * makes at most one call to the Git port per commit it writes.
 */
export function createGitOps(options: GitOpsOptions) {
  const { git, context } = options;
  const mainBranch = options.branch ?? 'main';
  const now = options.now;
  const fleet = new FleetIndex(git, mainBranch, options.fleetIndexStore);
  // Another branch (rare: tests, review branches) gets a throw-away index.
  const fleetOf = (branch: string) => (branch === mainBranch ? fleet : new FleetIndex(git, branch));
  const run = (operation: Parameters<typeof runOperation>[1], call: CallOptions) => runOperation(git, operation, toRunOptions(call, mainBranch));

  /** What changed for one app between two commits: its code, and its rendered manifests with its Flux file. */
  async function appDiff(ref: AppRef, from: string | undefined, to: string): Promise<{ code: string; manifests: string }> {
    const app = appRef(ref.tenant, ref.app);
    const codeDir = `${appDir(app)}/${CODE_DIR}`;
    const [code, folder, flux] = await Promise.all([git.diff(from, to, codeDir), git.diff(from, to, appDir(app)), git.diff(from, to, appFluxFile(app))]);
    const manifests =
      splitFileDiffs(folder)
        .filter((section) => !section.startsWith(`diff --git a/${codeDir}/`))
        .join('') + flux;
    return { code, manifests };
  }

  return {
    branch: mainBranch,
    /** The fleet index at the branch head: apps asleep or on older templates, without reading every app. */
    fleet: () => fleet.refresh(),

    // Every method is async so that a bad input rejects, rather than throws before a promise exists.
    deploy: async (input: DeployInput, call: CallOptions) => run(deployOperation(input, context), call),

    async rollback(target: AppRef & { readonly to: string }, call: CallOptions) {
      const ref = appRef(target.tenant, target.app);
      const old = await git.tree(target.to);
      const snapshot = {
        commit: target.to,
        files: await old.readFiles(appDir(ref)),
        fluxKustomization: await old.readFile(appFluxFile(ref)),
      };
      return run(rollbackOperation(ref.tenant, ref.app, snapshot, context), call);
    },

    async revert(commit: string, call: CallOptions) {
      const info = await git.readCommit(commit);
      const changes = await git.changesOf(commit);
      return run(revertOperation({ commit: info.sha, subject: info.subject, changes }, context), call);
    },

    pinRunner: async (runner: RunnerImage, apps: readonly AppRef[] | undefined, call: CallOptions) => run(pinRunnerOperation(runner, apps, context), call),

    delete: async (apps: readonly AppRef[], call: CallOptions) => run(deleteOperation(apps, context), call),
    sleep: async (apps: readonly AppRef[], call: CallOptions) => run(sleepOperation(apps, now(), context), call),
    wake: async (apps: readonly AppRef[], call: CallOptions) => run(wakeOperation(apps, context), call),

    /**
     * Plans on the branch head; a dry run returns the plan alone, otherwise
     * two commits at most (sleep, then delete). Each half is idempotent on its
     * own, so a retry after a crash between them finishes the second half.
     */
    async cleanup(lastActivity: ReadonlyMap<string, Date>, call: CallOptions, policy: CleanupPolicy = DEFAULT_CLEANUP_POLICY): Promise<CleanupResult> {
      const branch = call.branch ?? mainBranch;
      const at = now();
      // The store is asked first: with no app inactive long enough, the fleet index is not even brought up to date.
      const inactive = [...lastActivity.values()].some((active) => at.getTime() - active.getTime() >= policy.sleepAfterHours * 3_600_000);
      const plan = inactive ? await planCleanup(await fleetOf(branch).refresh(), lastActivity, at, policy) : { sleep: [], delete: [] };
      if (call.dryRun) return { plan };
      const half = async (suffix: string, apps: readonly unknown[], operation: () => Operation) => {
        const requestId = `${call.requestId}:${suffix}`;
        const done = await git.findRequest(branch, requestId);
        if (done) return { status: 'duplicate', commit: done } as const;
        return apps.length > 0 ? run(operation(), { ...call, requestId }) : undefined;
      };
      const sleep = await half('sleep', plan.sleep, () => cleanupSleepOperation(plan.sleep, at, context));
      const remove = await half('delete', plan.delete, () => cleanupDeleteOperation(plan.delete, context));
      return { plan, ...(sleep ? { sleep } : {}), ...(remove ? { delete: remove } : {}) };
    },

    /** Apps on older template versions, and (unless a dry run) one commit re-rendering them. */
    async upgrade(call: CallOptions): Promise<{ outdated: OutdatedApp[]; result?: OperationResult }> {
      const outdated = (await fleetOf(call.branch ?? mainBranch).refresh()).outdated();
      if (call.dryRun || outdated.length === 0) return { outdated };
      return { outdated, result: await run(upgradeOperation(outdated, context), call) };
    },

    /** The app's releases, newest first, read from Git (commits made outside Berth included). */
    async releases(ref: AppRef, limit = 50, branch = mainBranch): Promise<Release[]> {
      const commits = await git.log(branch, { path: appDir(appRef(ref.tenant, ref.app)), limit });
      return commits.map((commit) => {
        const trailers = readBerthTrailers(commit.message);
        return {
          commit: commit.sha,
          action: trailers.action,
          actor: trailers.actor,
          author: commit.author.name,
          at: new Date(commit.author.timestamp * 1000).toISOString(),
          message: commit.subject,
        };
      });
    },

    /**
     * A release against the app's release before it: the code folder, and
     * everything else the app owns (its manifests and its Flux file).
     * `commit` is a full id or a unique prefix of one of the app's releases.
     */
    async releaseDiff(
      ref: AppRef,
      commit: string,
      branch = mainBranch,
    ): Promise<{ commit: string; previous: string | undefined; code: string; manifests: string } | undefined> {
      const app = appRef(ref.tenant, ref.app);
      const commits = await git.log(branch, { path: appDir(app), limit: 500 });
      const match = matchCommitPrefix(
        commits.map((c) => c.sha),
        commit,
      );
      if (match.kind === 'ambiguous')
        throw new ConflictError(ambiguousPrefixMessage(commit, match.matches, `${ref.tenant}/${ref.app}`), { matches: match.matches });
      const index = match.kind === 'found' ? commits.findIndex((c) => c.sha === match.commit) : -1;
      const release = commits[index];
      if (!release) return undefined;
      const previous = commits[index + 1]?.sha;
      return { commit: release.sha, previous, ...(await appDiff(app, previous, release.sha)) };
    },

    appDiff,

    async readApp(ref: AppRef, commit?: string) {
      return readAppSpec(await git.tree(commit ?? (await git.head(mainBranch))), appRef(ref.tenant, ref.app));
    },
  };
}

export type GitOps = ReturnType<typeof createGitOps>;

function toRunOptions(call: CallOptions, branch: string): RunOptions {
  return {
    branch: call.branch ?? branch,
    actor: call.actor,
    requestId: call.requestId,
    ...(call.base !== undefined ? { base: call.base } : {}),
    ...(call.dryRun !== undefined ? { dryRun: call.dryRun } : {}),
    ...(call.timestamp !== undefined ? { timestamp: call.timestamp } : {}),
    ...(call.extraTrailers ? { extraTrailers: call.extraTrailers } : {}),
  };
}

/** A unified diff cut into its per-file sections, each starting at `diff --git`. */
function splitFileDiffs(diff: string): string[] {
  return diff.split(/^(?=diff --git )/m).filter((section) => section !== '');
}
