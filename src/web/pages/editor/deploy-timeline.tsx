import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import type { Deployment, TimelineEntry } from '../../lib/api.js';
import { readEvents } from '../../lib/sse.js';

/**
 * A deployment's stages as they happen, read from its event stream with
 * fetch (the bearer header goes along). Ends at the stream's `end`.
 */
export function DeployTimeline({
  deployment,
  onStage,
  onDone,
  onShowRelease,
}: {
  deployment: Deployment;
  onStage?: (stage: string) => void;
  onDone: (d: Deployment) => void;
  onShowRelease: (commit: string) => void;
}) {
  const [stages, setStages] = useState<TimelineEntry[]>([]);
  const [status, setStatus] = useState(deployment.status);
  const [commit, setCommit] = useState(deployment.commit);
  const [error, setError] = useState<string | undefined>(deployment.error);
  const [streamError, setStreamError] = useState<unknown>();
  const [ended, setEnded] = useState(false);
  const [reviewLink, setReviewLink] = useState<string | undefined>();

  useEffect(() => {
    const abort = new AbortController();
    setStages([]);
    setEnded(false);
    readEvents(
      `/deployments/${deployment.id}/events`,
      (event) => {
        const data = JSON.parse(event.data) as Record<string, unknown>;
        if (event.event === 'stage') {
          setStages((prev) => [
            ...prev,
            { stage: String(data.stage), at: String(data.at), ...(typeof data.detail === 'string' ? { detail: data.detail } : {}) },
          ]);
          setStatus(String(data.status));
          if (typeof data.commit === 'string') setCommit(data.commit);
          onStage?.(String(data.stage));
          // Review mode: the stage's detail names the change request's page.
          const review = typeof data.detail === 'string' ? /\/reviews\/[0-9a-f]{12}/.exec(data.detail)?.[0] : undefined;
          if (data.stage === 'awaiting_review' && review) setReviewLink(review);
        } else if (event.event === 'end') {
          const final = data.deployment as Deployment;
          setStatus(final.status);
          if (final.commit) setCommit(final.commit);
          if (final.error) setError(final.error);
          setEnded(true);
          onDone(final);
        }
      },
      abort.signal,
    ).catch((err: unknown) => {
      if (!abort.signal.aborted) setStreamError(err);
    });
    return () => abort.abort();
  }, [deployment.id]);

  const label = deployment.kind === 'rollback' ? 'Rollback' : deployment.kind === 'delete' ? 'Delete' : 'Deploy';
  return (
    <section class="timeline" aria-labelledby="timeline-title" aria-busy={!ended}>
      <h2 id="timeline-title">
        {label} timeline <span class={`pill s-${status}`}>{status}</span>
      </h2>
      <ol aria-live="polite">
        {stages.map((s, i) => (
          <li key={i} class={`stage-${s.stage}`}>
            <span class={`stage s-${s.stage}`}>{s.stage}</span> <time dateTime={s.at}>{new Date(s.at).toLocaleTimeString()}</time>
            {s.detail && !(s.stage === 'failed' && s.detail === error) ? <span class="hint"> {s.detail}</span> : null}
          </li>
        ))}
        {!ended && !streamError && <li class="hint">waiting for the next stage…</li>}
      </ol>
      {status === 'awaiting_review' && reviewLink && (
        <p role="status">
          Awaiting review: <a href={reviewLink}>change request {reviewLink.slice('/reviews/'.length)}</a>
        </p>
      )}
      {commit && (
        <p>
          Commit <code>{commit.slice(0, 12)}</code>{' '}
          <button type="button" class="small" onClick={() => onShowRelease(commit)}>
            View release
          </button>
        </p>
      )}
      {error && (
        <div class="error runtime-error" role="alert">
          {error}
        </div>
      )}
      <ErrorBox error={streamError} label="The event stream broke off" />
    </section>
  );
}
