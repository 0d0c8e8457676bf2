import type { ChangeRequestRecord } from '../reviews/change-request.js';

/**
 * Where change requests live besides Berth's own record: the `local`
 * backend keeps nothing more (the branch in the apps repo is the request);
 * a Git host's backend mirrors each one as a pull request.
 */
export interface ReviewBackend {
  readonly kind: 'local' | 'github';
  /** Finds or creates the backend's request for the record's branch: idempotent by branch, so a re-run never opens a second. */
  publish(record: ChangeRequestRecord, body: string): Promise<{ readonly url?: string; readonly number?: number }>;
  /** The request was closed in Berth (merged, rejected, superseded): tidy up (its branch). Tolerates what is already gone. */
  closed(record: ChangeRequestRecord): Promise<void>;
  /** Mirrors Berth's approval where the backend shows it (a GitHub review). */
  approved?(record: ChangeRequestRecord, comment: string | undefined): Promise<void>;
  /**
   * The backend lands an approved change itself (a pull request merge with
   * the `sha` guard) and returns the commit now on main; absent: Berth
   * commits it to main. A ConflictError means it could not land as reviewed.
   */
  land?(record: ChangeRequestRecord, commit: { readonly title: string; readonly message: string }): Promise<string>;
}

/** Berth's own records of change requests, whatever the backend. */
export interface ChangeRequestRecords {
  get(id: string): Promise<ChangeRequestRecord | undefined>;
  /** Creates or replaces one record. */
  put(record: ChangeRequestRecord): Promise<void>;
  /** Newest first. */
  list(filter?: { readonly state?: ChangeRequestRecord['state']; readonly tenant?: string; readonly app?: string }): Promise<ChangeRequestRecord[]>;
  /**
   * Read-modify-write of one record, one at a time per record in this
   * process (two reviewers' verdicts do not overwrite each other).
   */
  update(id: string, change: (record: ChangeRequestRecord) => ChangeRequestRecord | Promise<ChangeRequestRecord>): Promise<ChangeRequestRecord | undefined>;
}
