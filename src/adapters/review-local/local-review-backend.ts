import type { GitPort } from '../../ports/git.js';
import type { ReviewBackend } from '../../services/review-port.js';

/**
 * The embedded default: the request is Berth's record plus its branch in the
 * apps repository; closing it deletes the branch (main keeps what landed).
 */
export function createLocalReviewBackend(git: Pick<GitPort, 'head' | 'deleteBranch'>): ReviewBackend {
  return {
    kind: 'local',
    publish: async () => ({}),
    async closed(record) {
      if ((await git.head(record.branch)) !== undefined) await git.deleteBranch(record.branch);
    },
  };
}
