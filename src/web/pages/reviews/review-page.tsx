import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import { call } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { ago } from '../../lib/rules.js';
import type { ChangeRequest } from './review-types.js';
import { DiffView } from '../editor/releases-panel.js';

interface Detail {
  readonly changeRequest: ChangeRequest;
  readonly diff: { readonly code: string; readonly manifests: string };
}

/** One change request: both diffs side by side, the validation result, the verdict buttons. */
export function ReviewPage({ id }: { id: string }) {
  const [detail, setDetail] = useState<Detail | undefined>();
  const [error, setError] = useState<unknown>();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    call<Detail>('GET', `/change-requests/${encodeURIComponent(id)}`).then(setDetail, setError);
  }, [id, version]);

  async function verdict(kind: 'approve' | 'reject') {
    setBusy(true);
    setError(undefined);
    try {
      const body = comment.trim() ? { comment: comment.trim() } : {};
      await call('POST', `/change-requests/${encodeURIComponent(id)}/${kind}`, { body });
      setComment('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setVersion((n) => n + 1);
    }
  }

  if (!detail) return <section class="stack">{error ? <ErrorBox error={error} /> : <p role="status">Loading the change request…</p>}</section>;
  const cr = detail.changeRequest;
  const mine = session.user()?.username === cr.author;
  const open = cr.state === 'open';
  return (
    <section aria-labelledby="review-title" class="stack">
      <h1 id="review-title">
        Change request {cr.id}: {cr.tenant}/{cr.app} <span class={`pill s-${cr.state}`}>{cr.state}</span>
      </h1>
      <p>
        {cr.kind} by <strong>{cr.author}</strong>, opened <time dateTime={cr.createdAt}>{ago(cr.createdAt)}</time> on branch <code>{cr.branch}</code>
        {cr.message ? ` — “${cr.message}”` : ''}
      </p>
      <p role="status" aria-label="Validation">
        Validation: {cr.validation.passed ? 'passed' : `${cr.validation.problems.length} problem(s)`}
      </p>
      {cr.previewUrl && open && (
        <p>
          Preview: <a href={cr.previewUrl}>{cr.previewUrl}</a>
        </p>
      )}
      {cr.conflict && (
        <div class="error" role="alert">
          Conflict: {cr.conflict.message}
        </div>
      )}
      {cr.note && <p>{cr.note}</p>}
      {cr.mergedCommit && (
        <p>
          Landed on main as <code>{cr.mergedCommit.slice(0, 12)}</code>.
        </p>
      )}
      <ErrorBox error={error} />
      <div class="diff-pair" role="region" aria-label="Changes against main">
        <DiffView title="Code" text={detail.diff.code} />
        <DiffView title="Rendered manifests" text={detail.diff.manifests} />
      </div>
      {cr.comments.length > 0 && (
        <section aria-labelledby="comments-title">
          <h2 id="comments-title">Comments</h2>
          <ul>
            {cr.comments.map((c, i) => (
              <li key={i}>
                <strong>{c.by}</strong> <time dateTime={c.at}>{ago(c.at)}</time>: {c.body}
              </li>
            ))}
          </ul>
        </section>
      )}
      {open && (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <label for="review-comment">Comment</label>
          <textarea id="review-comment" rows={3} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
          {mine && <p class="hint">You wrote this change: someone else has to approve it.</p>}
          <div class="row">
            <button type="button" disabled={busy || mine} onClick={() => void verdict('approve')}>
              Approve
            </button>
            <button type="button" class="danger" disabled={busy || !comment.trim()} onClick={() => void verdict('reject')}>
              Reject
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
