import { useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import { StatusBadge } from '../../components/status-badge.js';
import { api, type AppStatus } from '../../lib/api.js';
import { badgeOf, messageHead } from '../../lib/app-status.js';

const short = (commit: string) => commit.slice(0, 7);

/**
 * What Git and the runtime say about the app, in one bar: the badge, the
 * commit Git has and the one that actually runs, the runtime's message,
 * Open app, and Sleep/Wake for those who may change the app.
 */
export function RuntimeBar({
  tenant,
  app,
  status,
  canWrite,
  onChanged,
}: {
  tenant: string;
  app: string;
  status: AppStatus | undefined;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState<'sleep' | 'wake' | undefined>();
  const [error, setError] = useState<unknown>();
  if (!status) return null;
  const { git, runtime } = status;
  const badge = badgeOf(git.commit !== null, runtime);
  const asleep = runtime.phase === 'asleep';
  const runs = runtime.kind !== 'none';
  // A crash's message is the last lines of output: the first two (what failed, the user's file and line) stay in the bar.
  const { head, more: rest } = messageHead(runtime.message);

  async function act(action: 'sleep' | 'wake') {
    setBusy(action);
    setError(undefined);
    try {
      await api[action](tenant, app);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <div class="runtime-bar">
      <p class="runtime-state" role="status" aria-label="App status">
        <StatusBadge badge={badge} />
        <span>
          {git.commit ? (
            <>
              Git: <code>{short(git.commit)}</code>
            </>
          ) : (
            'Git: not deployed'
          )}
        </span>
        {runs && git.commit && (
          <span>
            Live: {runtime.liveCommit ? <code>{short(runtime.liveCommit)}</code> : 'nothing yet'}
            {runtime.liveCommit && runtime.liveCommit !== git.commit && badge !== 'starting' ? <span class="hint"> (an earlier commit)</span> : null}
          </span>
        )}
        <span class={`hint runtime-message${badge === 'failed' ? ' failed' : ''}`}>{head}</span>
      </p>
      <div class="row">
        {/* Without a runtime nothing answers at the URL yet: no button that leads nowhere. */}
        {runs && git.commit && (
          <a class="button" href={runtime.url} target="_blank" rel="noopener">
            Open app <span class="sr-only">(opens in a new tab)</span>
          </a>
        )}
        {canWrite &&
          runs &&
          git.commit &&
          (asleep ? (
            <button type="button" onClick={() => void act('wake')} disabled={busy !== undefined}>
              {busy === 'wake' ? 'Waking…' : 'Wake'}
            </button>
          ) : (
            <button type="button" onClick={() => void act('sleep')} disabled={busy !== undefined}>
              {busy === 'sleep' ? 'Putting to sleep…' : 'Sleep'}
            </button>
          ))}
      </div>
      {rest && (
        <details class="runtime-output">
          <summary>The runtime's full message</summary>
          <pre>{runtime.message}</pre>
        </details>
      )}
      <ErrorBox error={error} label="Could not change the app" />
    </div>
  );
}
