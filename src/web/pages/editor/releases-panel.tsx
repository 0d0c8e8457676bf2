import { useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/confirm.js';
import { ErrorBox } from '../../components/error-box.js';
import { api, type Deployment, type Release } from '../../lib/api.js';
import { ago } from '../../lib/rules.js';

interface Props {
  readonly tenant: string;
  readonly app: string;
  /** Bumped after a deploy or rollback, to reload the list. */
  readonly version: number;
  readonly selected: string | undefined;
  readonly onSelect: (commit: string | undefined) => void;
  readonly onRolledBack: (deployment: Deployment) => void;
}

/** A unified diff with added and removed lines told apart (by colour and by their +/- sign). */
export function DiffView({ title, text }: { title: string; text: string }) {
  return (
    <section class="diff" aria-label={title}>
      <h4>{title}</h4>
      {text === '' ? (
        <p class="hint">No changes.</p>
      ) : (
        <pre tabIndex={0}>
          {text.split('\n').map((line, i) => (
            <span
              key={i}
              class={
                line.startsWith('+') && !line.startsWith('+++')
                  ? 'add'
                  : line.startsWith('-') && !line.startsWith('---')
                    ? 'del'
                    : line.startsWith('@@')
                      ? 'hunk'
                      : ''
              }
            >
              {line}
            </span>
          ))}
        </pre>
      )}
    </section>
  );
}

/** The app's history read from Git, the diff of a release against the one before, and Roll back. */
export function ReleasesPanel(props: Props) {
  const [releases, setReleases] = useState<Release[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [diff, setDiff] = useState<{ commit: string; code: string; manifests: string } | undefined>();
  const [diffError, setDiffError] = useState<unknown>();
  const [target, setTarget] = useState<Release | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.releases(props.tenant, props.app).then((r) => setReleases(r.releases), setError);
  }, [props.tenant, props.app, props.version]);

  useEffect(() => {
    setDiff(undefined);
    setDiffError(undefined);
    if (props.selected) api.releaseDiff(props.tenant, props.app, props.selected).then(setDiff, setDiffError);
  }, [props.selected, props.tenant, props.app]);

  async function rollback() {
    if (!target) return;
    setBusy(true);
    try {
      const { deployment } = await api.rollback(props.tenant, props.app, target.commit);
      setTarget(undefined);
      props.onRolledBack(deployment);
    } catch (err) {
      setError(err);
      setTarget(undefined);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="releases-title" class="stack">
      <h2 id="releases-title">Releases</h2>
      <ErrorBox error={error} />
      {releases === undefined && !error && <p role="status">Loading releases…</p>}
      {releases?.length === 0 && <p>No releases yet: Deploy (Ctrl+Enter) makes the first one.</p>}
      {releases && releases.length > 0 && (
        <table class="list">
          <caption class="sr-only">Releases, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Commit</th>
              <th scope="col">Action</th>
              <th scope="col">Who</th>
              <th scope="col">When</th>
              <th scope="col">Message</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {releases.map((r, i) => (
              <tr key={r.commit} class={props.selected && r.commit.startsWith(props.selected) ? 'selected' : ''}>
                <td>
                  <code>{r.commit.slice(0, 7)}</code>
                </td>
                <td>{r.action ?? 'outside Berth'}</td>
                <td>{r.author}</td>
                <td>
                  <time dateTime={r.at}>{ago(r.at)}</time>
                </td>
                <td>{r.message}</td>
                <td>
                  <div class="row">
                    <button type="button" class="small" aria-label={`Diff of ${r.commit.slice(0, 7)}`} onClick={() => props.onSelect(r.commit)}>
                      Diff
                    </button>
                    {i > 0 && r.action !== 'delete' && (
                      <button type="button" class="small" aria-label={`Roll back to ${r.commit.slice(0, 7)}`} onClick={() => setTarget(r)}>
                        Roll back
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorBox error={diffError} label="Could not load the diff" />
      {props.selected && !diff && !diffError && <p role="status">Loading the diff…</p>}
      {diff && (
        <div class="diffs" aria-label={`Changes in ${diff.commit.slice(0, 7)}`} role="region">
          <h3>
            Changes in <code>{diff.commit.slice(0, 7)}</code> against the release before
          </h3>
          <DiffView title="Code" text={diff.code} />
          <DiffView title="Manifests" text={diff.manifests} />
        </div>
      )}
      <ConfirmDialog
        open={target !== undefined}
        title={`Roll back to ${target?.commit.slice(0, 7) ?? ''}?`}
        confirmLabel={busy ? 'Rolling back…' : 'Roll back'}
        danger
        onCancel={() => setTarget(undefined)}
        onConfirm={() => void rollback()}
      >
        <p>
          A new commit restores {props.tenant}/{props.app} as of <code>{target?.commit.slice(0, 12)}</code> ({target?.message}). Your draft is not changed.
        </p>
      </ConfirmDialog>
    </section>
  );
}
