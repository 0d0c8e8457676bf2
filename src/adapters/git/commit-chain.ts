import type { CommitObject } from 'isomorphic-git';
import { parseTrailers } from '../../domain/trailers.js';
import { ConflictError, InputError } from '../../errors.js';
import type { ChangeRequest, CommitOutcome, FileChange, Person } from '../../ports/git.js';
import type { ObjectStore } from './object-cache.js';
import { REQUEST_TRAILER } from './request-index.js';
import type { RequestIndex } from './request-index.js';
import { diffTrees } from './tree-diff.js';
import { applyChanges } from './tree-editor.js';
import { CommitTreeView, entryAt } from './tree-view.js';

/** What building a chain needs. */
export interface ChainContext {
  readonly store: ObjectStore;
  readonly index: RequestIndex;
  readonly committer: Person;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/** One request's result in one attempt. */
export type Verdict = { readonly ok: true; readonly outcome: CommitOutcome } | { readonly ok: false; readonly error: unknown };

/** A request this group already committed in an earlier attempt, whose push may have landed. */
export type Committed = Extract<CommitOutcome, { status: 'committed' }>;

/** A chain of commits on `head`, one per request that changed something. */
export interface Chain {
  readonly tip: string | undefined;
  /** One per request, in order. */
  readonly verdicts: readonly Verdict[];
}

interface ChainTip {
  commit: string | undefined;
  tree: string;
}

function assertPerson(person: Person, role: string): void {
  const bad = (value: unknown) => typeof value !== 'string' || value.trim() === '' || /[<>\n\0]/.test(value);
  if (bad(person?.name) || bad(person?.email)) {
    throw new InputError(`${role} needs a name and an email without <, > or newlines`);
  }
}

/**
 * The message as written: ending in a newline (git's convention) and carrying
 * `Berth-Request: <id>`, which is what lets a retried request find its
 * commit. A message without it gets it appended to its trailer block.
 */
function commitMessage(request: ChangeRequest): string {
  const message = request.meta.message;
  if (typeof message !== 'string' || message.includes('\0')) throw new InputError('commit message must be text');
  const trailers = parseTrailers(message);
  const ids = trailers[REQUEST_TRAILER] ?? [];
  if (ids.includes(request.requestId)) return message.endsWith('\n') ? message : `${message}\n`;
  if (ids.length > 0) {
    throw new InputError(`commit message names request ${ids.join(', ')}, not ${request.requestId}`, { requestId: request.requestId });
  }
  const separator = Object.keys(trailers).length > 0 ? '\n' : '\n\n';
  return `${message.trimEnd()}${separator}${REQUEST_TRAILER}: ${request.requestId}\n`;
}

/** Guard paths whose ids differ between `base` and the tip the change would land on. */
async function movedGuardPaths(store: ObjectStore, request: ChangeRequest, tip: ChainTip): Promise<string[]> {
  const { base, guardPaths = [] } = request;
  if (base === undefined || base === tip.commit || guardPaths.length === 0) return [];
  const baseTree = await store.treeOfCommit(base);
  const moved = await Promise.all(
    guardPaths.map(async (path) => {
      const [then, now] = await Promise.all([entryAt(store, baseTree, path), entryAt(store, tip.tree, path)]);
      return then?.oid === now?.oid ? undefined : path;
    }),
  );
  return moved.filter((path): path is string => path !== undefined);
}

/** The files a commit really changed, with their new contents (null: deleted). */
async function changedFiles(store: ObjectStore, before: string, after: string): Promise<FileChange[]> {
  const changes = await diffTrees(store, before, after);
  return Promise.all(changes.map(async ({ path, after: entry }) => ({ path, content: entry ? await store.readText(entry.oid) : null })));
}

/**
 * Builds the commits for a group of requests on `head`, in order, each on the
 * previous one. Nothing here moves a ref; the caller publishes the tip.
 * A request that fails (conflict, throwing plan, bad input) fails alone.
 */
export async function buildChain(
  context: ChainContext,
  branch: string,
  head: string | undefined,
  requests: readonly ChangeRequest[],
  earlier: ReadonlyMap<string, Committed>,
): Promise<Chain> {
  const { store, index } = context;
  const tip: ChainTip = { commit: head, tree: await store.treeOfCommit(head) };
  const inChain = new Map<string, string>();
  const verdicts: Verdict[] = [];
  const writeOne = async (request: ChangeRequest): Promise<CommitOutcome> => {
    const existing = inChain.get(request.requestId) ?? (await index.find(branch, head, request.requestId));
    if (existing !== undefined) {
      const mine = earlier.get(request.requestId);
      // Our own earlier attempt landed although we never heard back (a lost push response).
      return mine?.commit === existing ? mine : { status: 'duplicate', commit: existing };
    }
    const moved = await movedGuardPaths(store, request, tip);
    if (moved.length > 0) {
      throw new ConflictError(`${moved.join(', ')} changed since ${request.base?.slice(0, 12)}`, {
        paths: moved,
        base: request.base,
        head: tip.commit,
      });
    }
    const changes = await request.plan(new CommitTreeView(store, tip.commit, tip.tree));
    const tree = await applyChanges(store, tip.tree, changes);
    if (tree === tip.tree) return { status: 'unchanged', commit: tip.commit };
    assertPerson(request.meta.author, 'author');
    const message = commitMessage(request);
    const timestamp = request.timestamp ?? Math.floor(context.now() / 1000);
    const commit: CommitObject = {
      tree,
      parent: tip.commit === undefined ? [] : [tip.commit],
      author: { name: request.meta.author.name.trim(), email: request.meta.author.email.trim(), timestamp, timezoneOffset: 0 },
      committer: { ...context.committer, timestamp, timezoneOffset: 0 },
      message,
    };
    const sha = store.writeCommit(commit);
    index.remember(sha, commit.parent, message);
    const outcome: Committed = { status: 'committed', commit: sha, changes: await changedFiles(store, tip.tree, tree) };
    tip.commit = sha;
    tip.tree = tree;
    inChain.set(request.requestId, sha);
    return outcome;
  };
  for (const request of requests) {
    verdicts.push(
      await writeOne(request).then(
        (outcome): Verdict => ({ ok: true, outcome }),
        (error: unknown): Verdict => ({ ok: false, error }),
      ),
    );
  }
  return { tip: tip.commit, verdicts };
}
