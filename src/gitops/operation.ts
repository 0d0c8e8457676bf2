import type { Action } from '../domain/trailers.js';
import type { FileChange, TreeView } from '../ports/git.js';

/** The acting person: commit author and `Berth-Actor`. */
export interface Actor {
  readonly id: string;
  readonly username: string;
  readonly email: string;
}

/**
 * One planned GitOps change: pure planning over a tree plus what the commit
 * says about it. Built by the functions in ./operations and carried out by
 * {@link runOperation} with one call to the Git port.
 */
export interface Operation {
  readonly action: Action;
  /** `tenant/app` of every app touched, one `Berth-App` trailer each. */
  readonly apps: readonly string[];
  readonly subject: string;
  readonly body?: string;
  /** Folders whose change since the caller's base makes this a conflict. */
  readonly guardPaths?: readonly string[];
  plan(tree: TreeView): Promise<readonly FileChange[]>;
}

export interface PlannedChange {
  readonly path: string;
  readonly change: 'add' | 'modify' | 'delete';
}

export type OperationResult =
  | { readonly status: 'committed' | 'duplicate'; readonly commit: string; readonly changes?: readonly PlannedChange[] }
  | { readonly status: 'unchanged'; readonly commit: string | undefined }
  /** A dry run: what would change on top of `head`, nothing written. */
  | { readonly status: 'planned'; readonly head: string | undefined; readonly changes: readonly PlannedChange[] };
