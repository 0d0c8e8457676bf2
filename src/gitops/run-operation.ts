import { formatCommitMessage } from '../domain/trailers.js';
import type { FileChange, GitPort, TreeView } from '../ports/git.js';
import type { Actor, Operation, OperationResult, PlannedChange } from './operation.js';

export interface RunOptions {
  readonly branch: string;
  readonly actor: Actor;
  /** Idempotency key: a retried request that already committed returns that commit. */
  readonly requestId: string;
  /** The commit the caller planned against; guarded paths changed since then are a conflict. */
  readonly base?: string;
  readonly dryRun?: boolean;
  /** Seconds since the epoch for the commit; defaults to now. */
  readonly timestamp?: number;
  /** More `Key: value` trailer lines after Berth's own (review mode's `Berth-Reviewed-By:`). */
  readonly extraTrailers?: readonly string[];
}

/** Carries out one operation: a dry run reads only, otherwise exactly one call to `git.apply`. */
export async function runOperation(git: GitPort, operation: Operation, options: RunOptions): Promise<OperationResult> {
  if (options.dryRun) return dryRun(git, operation, options);
  const message = formatCommitMessage(
    operation.subject,
    { action: operation.action, apps: operation.apps, requestId: options.requestId, actor: options.actor.id },
    operation.body,
    options.extraTrailers,
  );
  let planned: PlannedChange[] = [];
  const outcome = await git.apply({
    branch: options.branch,
    requestId: options.requestId,
    ...(options.base !== undefined ? { base: options.base } : {}),
    ...(operation.guardPaths ? { guardPaths: operation.guardPaths } : {}),
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    meta: { author: { name: options.actor.username, email: options.actor.email }, message },
    plan: async (tree) => {
      const changes = await operation.plan(tree);
      planned = await classify(tree, changes);
      return changes;
    },
  });
  if (outcome.status === 'committed') {
    return { status: 'committed', commit: outcome.commit, changes: planned };
  }
  if (outcome.status === 'duplicate') return { status: 'duplicate', commit: outcome.commit };
  return { status: 'unchanged', commit: outcome.commit };
}

async function dryRun(git: GitPort, operation: Operation, options: RunOptions): Promise<OperationResult> {
  const done = await git.findRequest(options.branch, options.requestId);
  if (done) return { status: 'duplicate', commit: done };
  const head = await git.head(options.branch);
  const tree = await git.tree(head);
  const changes = await operation.plan(tree);
  return { status: 'planned', head, changes: await classify(tree, changes) };
}

async function classify(tree: TreeView, changes: readonly FileChange[]): Promise<PlannedChange[]> {
  const out: PlannedChange[] = [];
  for (const change of changes) {
    const before = await tree.readFile(change.path);
    out.push({ path: change.path, change: change.content === null ? 'delete' : before === undefined ? 'add' : 'modify' });
  }
  return out;
}
