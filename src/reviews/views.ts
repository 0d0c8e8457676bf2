import { ageSeconds, approversOf, type ChangeRequestRecord } from './change-request.js';

/** A change request as the API shows it (API.md "Change requests", extended). */
export function changeRequestView(record: ChangeRequestRecord, now: Date) {
  return {
    id: record.id,
    tenant: record.tenant,
    app: record.app,
    kind: record.kind,
    author: record.author.username,
    ...(record.message ? { message: record.message } : {}),
    branch: record.branch,
    ...(record.base ? { base: record.base } : {}),
    commit: record.commit,
    state: record.state,
    deployment: record.deploymentId,
    // The reviewer's page in Berth's UI, or the pull request when a Git host holds it.
    url: record.externalUrl ?? `/reviews/${record.id}`,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ageSeconds: ageSeconds(record, now),
    validation: { passed: record.validation.passed, problems: [...record.validation.problems], checkedAt: record.validation.checkedAt },
    verdicts: record.verdicts.map((v) => ({ reviewer: v.reviewer.username, verdict: v.verdict, ...(v.comment ? { comment: v.comment } : {}), at: v.at })),
    approvedBy: approversOf(record.verdicts).map((p) => p.username),
    comments: record.comments.map((c) => ({ ...c })),
    ...(record.conflict ? { conflict: { ...record.conflict } } : {}),
    ...(record.mergedCommit ? { mergedCommit: record.mergedCommit } : {}),
    ...(record.note ? { note: record.note } : {}),
    ...(record.closedAt ? { closedAt: record.closedAt } : {}),
  };
}

export type ChangeRequestView = ReturnType<typeof changeRequestView>;

const MAX_BODY_DIFF = 40_000;

/** A pull request's body: the app, the author, the validation result and the rendered changes. */
export function changeRequestBody(record: ChangeRequestRecord, diff: { readonly code: string; readonly manifests: string }): string {
  const fence = (text: string) =>
    '```diff\n' + (text.length > MAX_BODY_DIFF ? `${text.slice(0, MAX_BODY_DIFF)}\n… (cut; Berth shows the whole diff)` : text) + '\n```';
  const validation = record.validation.passed ? 'passed' : `${record.validation.problems.length} problem(s)`;
  return [
    `Berth change request ${record.id}: ${record.kind} of **${record.tenant}/${record.app}** by **${record.author.username}**.`,
    record.message ? `> ${record.message}` : '',
    `Validation: ${validation}.`,
    '### Rendered manifests',
    fence(diff.manifests || '(no change)'),
    '### Code',
    fence(diff.code || '(no change)'),
  ]
    .filter((line) => line !== '')
    .join('\n\n');
}
