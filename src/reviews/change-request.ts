import type { CodeProblem } from '../errors.js';

/**
 * Change requests (review mode), as Berth records them whatever the review
 * backend: pure types and rules, no I/O. A request is one deployment's
 * change on its own branch, waiting for someone other than its author.
 */

export const CHANGE_REQUEST_STATES = ['open', 'merged', 'rejected', 'superseded'] as const;
export type ChangeRequestState = (typeof CHANGE_REQUEST_STATES)[number];

export interface Person {
  readonly id: string;
  readonly username: string;
  readonly email: string;
}

export interface Verdict {
  readonly reviewer: Person;
  readonly verdict: 'approve' | 'reject';
  readonly comment?: string;
  readonly at: string;
}

export interface ReviewComment {
  readonly by: string;
  readonly body: string;
  readonly at: string;
}

/** The app folder changed on main since the branch was made: landing it would overwrite that change. */
export interface ReviewConflict {
  readonly message: string;
  readonly at: string;
  /** The main commit it was checked against. */
  readonly main?: string;
}

export interface ChangeRequestRecord {
  readonly id: string;
  readonly deploymentId: string;
  readonly tenant: string;
  readonly app: string;
  readonly kind: 'deploy' | 'rollback';
  readonly author: Person;
  readonly message?: string;
  readonly branch: string;
  /** The main commit the branch was made from. */
  readonly base?: string;
  /** The branch head: the author's change. */
  readonly commit: string;
  readonly state: ChangeRequestState;
  readonly verdicts: readonly Verdict[];
  readonly comments: readonly ReviewComment[];
  readonly validation: { readonly passed: boolean; readonly problems: readonly CodeProblem[]; readonly checkedAt: string };
  readonly conflict?: ReviewConflict;
  /** Where the backend shows it (a pull request's html_url); the local backend has none. */
  readonly externalUrl?: string;
  readonly externalNumber?: number;
  readonly mergedCommit?: string;
  /** Why it was closed (superseded by which request, the rejection's comment). */
  readonly note?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly closedAt?: string;
}

/**
 * The request id: derived from the deployment id, so a re-run of the job
 * after a crash (branch written, request not yet recorded) arrives at the
 * same id and branch and reuses them instead of opening a second request.
 * 12 hex characters keep `<app>--<tenant>--cr<id>` inside a DNS label.
 */
export function changeRequestIdOf(deploymentId: string): string {
  const hex = deploymentId.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length < 12) throw new Error(`deployment id ${deploymentId} has too few hex digits for a change request id`);
  return hex.slice(0, 12);
}

export const CHANGE_REQUEST_ID = /^[0-9a-f]{12}$/;

export function reviewBranchOf(tenant: string, app: string, id: string): string {
  return `berth/${tenant}/${app}/${id}`;
}

/** Each reviewer's latest verdict counts: the people whose latest word is an approval. */
export function approversOf(verdicts: readonly Verdict[]): Person[] {
  const latest = new Map<string, Verdict>();
  for (const verdict of verdicts) latest.set(verdict.reviewer.id, verdict);
  return [...latest.values()].filter((v) => v.verdict === 'approve').map((v) => v.reviewer);
}

/** `Berth-Reviewed-By: name <email>`, one per approver, in the order they approved. */
export function reviewedByTrailers(approvers: readonly Person[]): string[] {
  const oneLine = (s: string) => s.replace(/[\r\n<>]+/g, ' ').trim();
  return approvers.map((person) => `Berth-Reviewed-By: ${oneLine(person.username)} <${oneLine(person.email)}>`);
}

export function ageSeconds(record: Pick<ChangeRequestRecord, 'createdAt'>, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(record.createdAt)) / 1000));
}
