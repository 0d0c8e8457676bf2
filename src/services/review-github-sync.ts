import type { Store } from '../ports/store.js';
import type { ChangeRequestRecord, Person } from '../reviews/change-request.js';
import type { ReviewService } from './review-service.js';

/** What the sync reads from the GitHub backend (src/adapters/github). */
export interface PullRequestSource {
  poll(
    record: ChangeRequestRecord,
    etag: string | undefined,
  ): Promise<
    | { readonly unchanged: true; readonly etag: string }
    | {
        readonly unchanged: false;
        readonly etag: string | undefined;
        readonly state: 'open' | 'closed';
        readonly merged: boolean;
        readonly mergeCommit: string | undefined;
      }
  >;
  approvals(record: ChangeRequestRecord): Promise<string[]>;
}

const deliveryKey = (id: string) => `review.github.delivery.${id}`;
const etagKey = (id: string) => `review.github.etag.${id}`;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Keeps Berth's change requests in step with their pull requests: signed
 * webhooks first (`pull_request`, `pull_request_review`), a periodic ETag
 * poll as the fallback. A delivery seen before, or an event Berth does not
 * act on, changes nothing.
 */
export function createGitHubReviewSync(deps: {
  readonly reviews: ReviewService;
  readonly source: PullRequestSource;
  readonly store: Pick<Store, 'settings' | 'users'>;
  readonly now: () => Date;
}) {
  const { reviews, source, store } = deps;

  async function reviewerOf(login: string): Promise<Person> {
    // A Berth account of the same name is that person; anyone else is known by their GitHub login.
    const user = await store.users.byUsername(login);
    return user
      ? { id: user.id, username: user.username, email: user.email }
      : { id: `github:${login}`, username: login, email: `${login}@users.noreply.github.com` };
  }

  async function recordOf(pull: Json): Promise<ChangeRequestRecord | undefined> {
    const number = pull.number;
    const branch = text(obj(pull.head).ref);
    return (await reviews.openRecords()).find((r) => r.externalNumber === number || (branch !== undefined && r.branch === branch));
  }

  return {
    /** One verified delivery; 'replay' for a delivery id seen before, 'ignored' for anything Berth does not act on. */
    async webhook(event: string, delivery: string | undefined, payload: unknown): Promise<'applied' | 'ignored' | 'replay'> {
      if (delivery) {
        if (await store.settings.get(deliveryKey(delivery))) return 'replay';
        await store.settings.put(deliveryKey(delivery), { event }, deps.now().toISOString());
      }
      const body = obj(payload);
      const pull = obj(body.pull_request);
      if (event === 'pull_request' && body.action === 'closed') {
        const record = await recordOf(pull);
        if (!record) return 'ignored';
        const by = text(obj(pull.merged_by).login) ?? text(obj(body.sender).login) ?? 'someone';
        const merged = pull.merged === true && text(pull.merge_commit_sha);
        const done = merged ? await reviews.mergedElsewhere(record.id, merged, by) : await reviews.closedElsewhere(record.id, by);
        return done ? 'applied' : 'ignored';
      }
      if (event === 'pull_request_review' && body.action === 'submitted') {
        const review = obj(body.review);
        const login = text(obj(review.user).login);
        if (text(review.state)?.toLowerCase() !== 'approved' || !login) return 'ignored';
        const record = await recordOf(pull);
        if (!record || (text(review.commit_id) && review.commit_id !== record.commit)) return 'ignored';
        return (await reviews.approvedElsewhere(record.id, await reviewerOf(login))) ? 'applied' : 'ignored';
      }
      return 'ignored';
    },

    /** The fallback: each open request's pull request, conditionally; returns how many moved. */
    async poll(): Promise<number> {
      let moved = 0;
      for (const record of await reviews.openRecords()) {
        if (record.externalNumber === undefined) continue;
        const etag = await store.settings.get<string>(etagKey(record.id));
        const seen = await source.poll(record, etag);
        if (seen.unchanged) continue;
        if (seen.etag) await store.settings.put(etagKey(record.id), seen.etag, deps.now().toISOString());
        if (seen.merged && seen.mergeCommit) {
          if (await reviews.mergedElsewhere(record.id, seen.mergeCommit, 'a person')) moved += 1;
        } else if (seen.state === 'closed') {
          if (await reviews.closedElsewhere(record.id, 'a person')) moved += 1;
        } else {
          for (const login of await source.approvals(record)) {
            if (await reviews.approvedElsewhere(record.id, await reviewerOf(login))) {
              moved += 1;
              break;
            }
          }
        }
      }
      return moved;
    },
  };
}

export type GitHubReviewSync = ReturnType<typeof createGitHubReviewSync>;
