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
