import { equalJitterMs, sleep } from '../../backoff.js';
import { ConflictError } from '../../errors.js';
import type { ChangeRequestRecord } from '../../reviews/change-request.js';
import { messageOf, statusOf, type GitHubClient, type GitHubRepo } from './github-client.js';

export interface GitHubReviewOptions {
  readonly client: GitHubClient;
  readonly repo: GitHubRepo;
  /** The branch pull requests are opened against (Berth's main). */
  readonly base: string;
  /** `mergeable: null` (GitHub still computing) is asked again this many times. */
  readonly mergeableAttempts?: number;
}

/** What a poll of one pull request saw; `unchanged` when GitHub answered 304 to our ETag. */
export type PullState =
  | { readonly unchanged: true; readonly etag: string }
  | {
      readonly unchanged: false;
      readonly etag: string | undefined;
      readonly state: 'open' | 'closed';
      readonly merged: boolean;
      readonly mergeCommit: string | undefined;
      readonly head: string;
    };

type Pull = { number: number; html_url: string };

/**
 * Change requests as GitHub pull requests (@octokit/rest). The branch itself
 * reaches GitHub through the remote Git adapter; this side finds or opens
 * the pull request by head and base, reviews, merges with the `sha` guard,
 * closes, deletes the branch, and polls with ETags.
 */
export function createGitHubReviewBackend(options: GitHubReviewOptions) {
  const { client, repo, base } = options;
  const head = (branch: string) => `${repo.owner}:${branch}`;

  async function findOpen(branch: string): Promise<Pull | undefined> {
    const found = await client.call((kit) => kit.rest.pulls.list({ ...repo, head: head(branch), base, state: 'open', per_page: 5 }));
    const pull = found.data[0];
    return pull ? { number: pull.number, html_url: pull.html_url } : undefined;
  }

  const backend = {
    kind: 'github' as const,

    /** Found first, created if missing; a 422 "already exists" (a race, or an earlier attempt we never heard back from) is adopted. */
    async publish(record: ChangeRequestRecord, body: string) {
      const known = await findOpen(record.branch);
      if (known) return { url: known.html_url, number: known.number };
      const title = `berth: ${record.kind} ${record.tenant}/${record.app}${record.message ? `: ${record.message}` : ''}`.slice(0, 250);
      try {
        const created = await client.call((kit) => kit.rest.pulls.create({ ...repo, head: record.branch, base, title, body }));
        return { url: created.data.html_url, number: created.data.number };
      } catch (error) {
        if (statusOf(error) !== 422 || !/already exists/i.test(messageOf(error))) throw error;
        const adopted = await findOpen(record.branch);
        if (!adopted) throw error;
        return { url: adopted.html_url, number: adopted.number };
      }
    },

    /** Closed in Berth: close the pull request unless it merged, and delete its branch (already gone is fine). */
    async closed(record: ChangeRequestRecord) {
      if (record.externalNumber !== undefined && record.state !== 'merged') {
        await client.call((kit) => kit.rest.pulls.update({ ...repo, pull_number: record.externalNumber as number, state: 'closed' }));
      }
      try {
        await client.call((kit) => kit.rest.git.deleteRef({ ...repo, ref: `heads/${record.branch}` }));
      } catch (error) {
        // 422 is "Reference does not exist" (GitHub's description documents it without a body): already gone.
        if (statusOf(error) !== 422) throw error;
      }
    },

    /** Berth's approval, as a GitHub review by Berth's token. */
    async approved(record: ChangeRequestRecord, comment: string | undefined) {
      await client.call((kit) =>
        kit.rest.pulls.createReview({
          ...repo,
          pull_number: numberOf(record),
          commit_id: record.commit,
          event: 'APPROVE',
          ...(comment ? { body: comment } : {}),
        }),
      );
    },

    /**
     * Squash-merges with the `sha` guard, so GitHub lands exactly the commit
     * the reviewer saw. `mergeable: null` means GitHub is still computing:
     * asked again with backoff. 409 (the head moved) and 405 (not mergeable)
     * become ConflictErrors in GitHub's words.
     */
    async land(record: ChangeRequestRecord, commit: { readonly title: string; readonly message: string }): Promise<string> {
      const { title, message } = commit;
      const pull_number = numberOf(record);
      const attempts = options.mergeableAttempts ?? 6;
      for (let attempt = 0; ; attempt++) {
        const pull = await client.call((kit) => kit.rest.pulls.get({ ...repo, pull_number }));
        if (pull.data.merged && pull.data.merge_commit_sha) return pull.data.merge_commit_sha;
        if (pull.data.mergeable !== null || attempt + 1 >= attempts) break;
        await sleep(equalJitterMs(attempt, 200, 3_000));
      }
      try {
        const merged = await client.call((kit) =>
          kit.rest.pulls.merge({ ...repo, pull_number, sha: record.commit, merge_method: 'squash', commit_title: title, commit_message: message }),
        );
        return merged.data.sha;
      } catch (error) {
        const status = statusOf(error);
        if (status === 409)
          throw new ConflictError(`GitHub refused the merge, the branch moved: ${messageOf(error)}; Berth plans it again`, { reason: 'head_moved' });
        if (status === 405) throw new ConflictError(`GitHub cannot merge pull request #${pull_number}: ${messageOf(error)}`, { reason: 'not_mergeable' });
        throw error;
      }
    },

    /** A conditional GET: a 304 costs no rate limit and says nothing changed (@octokit/request throws it). */
    async poll(record: ChangeRequestRecord, etag: string | undefined): Promise<PullState> {
      try {
        const pull = await client.call((kit) =>
          kit.rest.pulls.get({ ...repo, pull_number: numberOf(record), ...(etag ? { headers: { 'if-none-match': etag } } : {}) }),
        );
        return {
          unchanged: false,
          etag: pull.headers.etag,
          state: pull.data.state === 'closed' ? 'closed' : 'open',
          merged: pull.data.merged,
          mergeCommit: pull.data.merge_commit_sha ?? undefined,
          head: pull.data.head.sha,
        };
      } catch (error) {
        if (statusOf(error) === 304 && etag) return { unchanged: true, etag };
        throw error;
      }
    },

    /** Approvals on GitHub, latest per reviewer (as Berth counts verdicts). */
    async approvals(record: ChangeRequestRecord): Promise<string[]> {
      const reviews = await client.call((kit) => kit.rest.pulls.listReviews({ ...repo, pull_number: numberOf(record), per_page: 100 }));
      const latest = new Map<string, string>();
      for (const review of reviews.data) if (review.user && review.state !== 'COMMENTED') latest.set(review.user.login, review.state);
      return [...latest].filter(([, state]) => state === 'APPROVED').map(([login]) => login);
    },
  };
  return backend;
}

export type GitHubReviewBackend = ReturnType<typeof createGitHubReviewBackend>;

function numberOf(record: ChangeRequestRecord): number {
  if (record.externalNumber === undefined) throw new ConflictError(`change request ${record.id} has no pull request yet`);
  return record.externalNumber;
}
