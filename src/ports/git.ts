/**
 * The port the GitOps core writes through. Implemented by
 * src/adapters/git (isomorphic-git over a local bare repository, optionally
 * mirroring a remote). Operations plan over a {@link TreeView} and hand the
 * port one {@link ChangeRequest}; the port owns concurrency: compare-and-swap
 * of the branch ref, re-planning on a moved head, group commits.
 */

export interface Person {
  readonly name: string;
  readonly email: string;
}

export interface Signature extends Person {
  /** Seconds since the epoch. */
  readonly timestamp: number;
  /** Minutes, as isomorphic-git counts them (UTC is 0). */
  readonly timezoneOffset: number;
}

export interface DirEntry {
  readonly name: string;
  readonly type: 'blob' | 'tree';
  readonly oid: string;
}

/** Read-only access to the tree of one commit (or the empty tree). */
export interface TreeView {
  /** The commit this view reads, undefined for an unborn branch. */
  readonly commit: string | undefined;
  /** File content as UTF-8, undefined when absent or a folder. */
  readFile(path: string): Promise<string | undefined>;
  /** Entries of a folder, undefined when absent or a file. '' is the root. */
  listDir(path: string): Promise<DirEntry[] | undefined>;
  /** Object id at a path (blob or tree), undefined when absent: cheap change detection. */
  oidAt(path: string): Promise<string | undefined>;
  /** Every file below a folder, as path (relative to the folder) → content. */
  readFiles(dir: string): Promise<Map<string, string>>;
}

/** Write `content`, or delete the file when it is null. Paths are repo-relative, no leading slash. */
export interface FileChange {
  readonly path: string;
  readonly content: string | null;
}

export interface CommitMeta {
  readonly author: Person;
  /** Full message including trailers (see domain/trailers). */
  readonly message: string;
}

export interface ChangeRequest {
  readonly branch: string;
  /** Idempotency key, also written as the `Berth-Request` trailer of the message. */
  readonly requestId: string;
  /**
   * The commit the caller planned against. When any of {@link guardPaths}
   * differs between it and the head the change would land on, the change is a
   * conflict instead of a silent overwrite. Undefined: no conflict check.
   */
  readonly base?: string;
  readonly guardPaths?: readonly string[];
  /**
   * Pure planning against a tree. Called again on every retry, against the
   * new head, so it must depend on nothing but the tree and its closure.
   * May throw (e.g. NotFoundError) to fail the request without committing.
   */
  plan(tree: TreeView): Promise<readonly FileChange[]>;
  readonly meta: CommitMeta;
  /** Author and committer time; defaults to now. Tests fix it for stable ids. */
  readonly timestamp?: number;
}

export type CommitOutcome =
  /** A new commit now on the branch. */
  | { readonly status: 'committed'; readonly commit: string; readonly changes: readonly FileChange[] }
  /** A commit with this request id is already on the branch: nothing was written. */
  | { readonly status: 'duplicate'; readonly commit: string }
  /** The plan changed nothing; no empty commit is made. `commit` is the head it was checked on. */
  | { readonly status: 'unchanged'; readonly commit: string | undefined };

export interface CommitInfo {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly subject: string;
  readonly author: Signature;
  readonly committer: Signature;
  readonly trailers: Readonly<Record<string, readonly string[]>>;
}

/** One path that a commit changed relative to its first parent. */
export interface PathChange {
  readonly path: string;
  /** Content before (null: added). */
  readonly before: string | null;
  /** Content after (null: deleted). */
  readonly after: string | null;
}

export interface LogOptions {
  /** Only commits that changed something at or below this path (vs first parent). */
  readonly path?: string;
  readonly limit?: number;
}

export interface GitPort {
  /** Commit id of a branch head, undefined if the branch does not exist. */
  head(branch: string): Promise<string | undefined>;
  /** A view of a commit's tree; undefined commit gives the empty tree. */
  tree(commit: string | undefined): Promise<TreeView>;
  /**
   * Plan and commit one change on a branch. Several requests waiting for the
   * same branch are written as a chain of commits with one ref update.
   * Rejects with ConflictError when a guarded path moved since `base`.
   */
  apply(request: ChangeRequest): Promise<CommitOutcome>;
  /** The commit on `branch` carrying `Berth-Request: requestId`, if any. */
  findRequest(branch: string, requestId: string): Promise<string | undefined>;
  /** Newest first, following first parents. */
  log(branch: string, options?: LogOptions): Promise<CommitInfo[]>;
  readCommit(commit: string): Promise<CommitInfo>;
  /** Files changed by a commit relative to its first parent (or the empty tree). */
  changesOf(commit: string): Promise<PathChange[]>;
  /** Unified diff of everything at or below `path` between two commits. */
  diff(from: string | undefined, to: string, path?: string): Promise<string>;
  /** Create or move a branch to `commit` only if it currently points at `expected` (undefined: must not exist). */
  updateBranch(branch: string, commit: string, expected: string | undefined): Promise<void>;
  deleteBranch(branch: string): Promise<void>;
  /** Whether `ancestor` is reachable from `descendant`. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
}
