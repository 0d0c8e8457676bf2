import { setImmediate as nextTurn } from 'node:timers/promises';
import { GitUnavailableError, RetryExhaustedError } from '../../errors.js';
import type { ChangeRequest, CommitOutcome } from '../../ports/git.js';
import { fullJitterMs, sleep } from '../../backoff.js';
import { buildChain } from './commit-chain.js';
import type { ChainContext, Committed, Verdict } from './commit-chain.js';

/** How a finished chain reaches the branch: a local compare-and-swap, or a push to the remote. */
export interface BranchPublisher {
  /** The head to build on; with a remote, fetched first. */
  headFor(branch: string): Promise<string | undefined>;
  /** Moves the branch from `base` to `tip`; false when the head is no longer `base`. */
  publish(branch: string, base: string | undefined, tip: string): Promise<boolean>;
}

/** Group sizes, attempts and backoff of the writers. */
export interface WriterSettings {
  readonly maxGroup: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

interface Waiting {
  readonly request: ChangeRequest;
  readonly resolve: (outcome: CommitOutcome) => void;
  readonly reject: (error: unknown) => void;
}

function settle(group: readonly Waiting[], verdicts: readonly Verdict[]): void {
  group.forEach((waiting, i) => {
    const verdict = verdicts[i];
    if (verdict?.ok) waiting.resolve(verdict.outcome);
    else waiting.reject(verdict ? verdict.error : new Error('no verdict for a request'));
  });
}

/**
 * One writer per branch in this process. Requests for a branch queue up; the
 * writer takes all that wait (up to maxGroup), builds them as one chain of
 * commits and moves the ref once. When the head moved underneath (another
 * process, `git` on the host, a push to the remote) the whole group is
 * planned again on the new head, after a jittered backoff, a bounded number
 * of times. Every request settles exactly once, with its own outcome.
 */
export class BranchWriters {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly context: ChainContext,
    private readonly publisher: BranchPublisher,
    private readonly settings: WriterSettings,
  ) {}

  submit(branch: string, request: ChangeRequest): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(branch) ?? [];
      this.queues.set(branch, queue);
      queue.push({ request, resolve, reject });
      if (!this.running.has(branch)) this.running.set(branch, this.drain(branch, queue));
    });
  }

  /** Resolves when every queued request has settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private async drain(branch: string, queue: Waiting[]): Promise<void> {
    try {
      // Let requests submitted in the same turn join the first group instead of waiting for the second.
      await nextTurn();
      while (queue.length > 0) {
        await this.writeGroup(branch, queue.splice(0, this.settings.maxGroup), queue);
      }
    } catch (error) {
      // writeGroup settles its own group; this only guards against leaving later requests hanging.
      for (const waiting of queue.splice(0)) waiting.reject(error);
    } finally {
      this.running.delete(branch);
      this.queues.delete(branch);
    }
  }

  private async writeGroup(branch: string, group: Waiting[], queue: Waiting[]): Promise<void> {
    const { maxAttempts, maxGroup, backoffBaseMs, backoffMaxMs } = this.settings;
    const earlier = new Map<string, Committed>();
    let failure: unknown;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        await sleep(fullJitterMs(attempt - 1, backoffBaseMs, backoffMaxMs));
        // Requests that arrived during the backoff ride along: they would be planned on the same head anyway.
        group.push(...queue.splice(0, maxGroup - group.length));
      }
      try {
        const head = await this.publisher.headFor(branch);
        const chain = await buildChain(
          this.context,
          branch,
          head,
          group.map((waiting) => waiting.request),
          earlier,
        );
        // Every object is on disk before the ref can point at it (and before anyone is told "committed").
        await this.context.store.flush();
        if (chain.tip === undefined || chain.tip === head) return settle(group, chain.verdicts);
        chain.verdicts.forEach((verdict, i) => {
          const requestId = group[i]?.request.requestId;
          if (verdict.ok && verdict.outcome.status === 'committed' && requestId) earlier.set(requestId, verdict.outcome);
        });
        if (await this.publisher.publish(branch, head, chain.tip)) return settle(group, chain.verdicts);
        failure = new RetryExhaustedError(`${branch} kept moving while committing; gave up after ${maxAttempts} attempts`, {
          branch,
          attempts: maxAttempts,
        });
      } catch (error) {
        if (!(error instanceof GitUnavailableError)) {
          for (const waiting of group) waiting.reject(error);
          return;
        }
        failure = error;
      }
    }
    for (const waiting of group) waiting.reject(failure);
  }
}
