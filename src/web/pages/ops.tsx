import { useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/confirm.js';
import { ErrorBox } from '../components/error-box.js';
import { call } from '../lib/api.js';
import { ago, digestProblem, imageProblem } from '../lib/rules.js';

interface Commit {
  readonly sha: string;
  readonly subject: string;
  readonly author: string;
  readonly at: string;
  readonly trailers: Record<string, string[]>;
}

function CommitsSection() {
  const [commits, setCommits] = useState<Commit[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [target, setTarget] = useState<Commit | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [version, setVersion] = useState(0);

  useEffect(() => {
    call<{ commits: Commit[] }>('GET', '/ops/commits?limit=50').then((r) => setCommits(r.commits), setError);
  }, [version]);

  async function revert() {
    if (!target) return;
    const sha = target.sha;
    setTarget(undefined);
    setError(undefined);
    try {
      const result = await call<{ commit: string | null }>('POST', '/ops/revert', { body: { commit: sha } });
      setDone(`Reverted ${sha.slice(0, 7)}${result.commit ? ` in ${result.commit.slice(0, 7)}` : ''}.`);
      setVersion((n) => n + 1);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section aria-labelledby="commits-title" class="stack">
      <h2 id="commits-title">Apps repository commits</h2>
      <ErrorBox error={error} />
      {done && <p role="status">{done}</p>}
      {commits === undefined && !error && <p role="status">Loading commits…</p>}
      {commits && (
        <table class="list">
          <caption class="sr-only">Commits, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Commit</th>
              <th scope="col">Subject</th>
              <th scope="col">Author</th>
              <th scope="col">When</th>
              <th scope="col">Trailers</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {commits.map((c) => (
              <tr key={c.sha}>
                <td>
                  <code>{c.sha.slice(0, 7)}</code>
                </td>
                <td>{c.subject}</td>
                <td>{c.author.replace(/ <.*>$/, '')}</td>
                <td>
                  <time dateTime={c.at}>{ago(c.at)}</time>
                </td>
                <td class="trailers">
                  {Object.entries(c.trailers).map(([k, values]) => (
                    <div key={k}>
                      <code>
                        {k}: {values.join(', ')}
                      </code>
                    </div>
                  ))}
                </td>
                <td>
                  <button type="button" class="small" aria-label={`Revert ${c.sha.slice(0, 7)}`} onClick={() => setTarget(c)}>
                    Revert
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={target !== undefined}
        title={`Revert ${target?.sha.slice(0, 7) ?? ''}?`}
        confirmLabel="Revert"
        danger
        onCancel={() => setTarget(undefined)}
        onConfirm={() => void revert()}
      >
        <p>A new commit undoes “{target?.subject}”. Flux applies it like any other commit.</p>
      </ConfirmDialog>
    </section>
  );
}

function RunnerPinSection() {
  const [image, setImage] = useState('');
  const [digest, setDigest] = useState('');
  const [apps, setApps] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const imageIssue = image === '' ? undefined : imageProblem(image);
  const digestIssue = digest === '' ? undefined : digestProblem(digest);
  const appList = apps.split(/[\s,]+/).filter(Boolean);

  async function pin(event: Event) {
    event.preventDefault();
    if (!image || !digest || imageIssue || digestIssue) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await call<{ status: string; commit: string | null }>('POST', '/ops/runner-image', {
        body: { image, digest, ...(appList.length ? { apps: appList } : {}) },
      });
      setDone(`Runner pinned (${r.status}${r.commit ? `, commit ${r.commit.slice(0, 7)}` : ''}).`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="pin-title">
      <h2 id="pin-title">Runner image pin</h2>
      <form onSubmit={(e) => void pin(e)} class="stack narrow">
        <label>
          Image
          <input
            value={image}
            placeholder="ghcr.io/acme/berth-runner"
            aria-invalid={imageIssue ? 'true' : 'false'}
            aria-describedby="image-help"
            onInput={(e) => setImage(e.currentTarget.value)}
          />
        </label>
        <p id="image-help" class={imageIssue ? 'field-error' : 'hint'}>
          {imageIssue ? `Image ${imageIssue}` : 'The repository, without a tag.'}
        </p>
        <label>
          Digest
          <input
            value={digest}
            placeholder="sha256:…"
            spellcheck={false}
            aria-invalid={digestIssue ? 'true' : 'false'}
            aria-describedby="digest-help"
            onInput={(e) => setDigest(e.currentTarget.value.trim())}
          />
        </label>
        <p id="digest-help" class={digestIssue ? 'field-error' : 'hint'} aria-live="polite">
          {digestIssue ? `Digest ${digestIssue}` : 'sha256: and 64 hex characters.'}
        </p>
        <label>
          Only these apps (optional)
          <input value={apps} placeholder="alice/todo, bob/api" aria-describedby="apps-help" onInput={(e) => setApps(e.currentTarget.value)} />
        </label>
        <p id="apps-help" class="hint">
          {appList.length ? `Pins ${appList.length} app(s).` : 'Empty: the whole fleet.'}
        </p>
        <ErrorBox error={error} />
        {done && <p role="status">{done}</p>}
        <div>
          <button type="submit" class="primary" disabled={busy || !image || !digest || Boolean(imageIssue || digestIssue)}>
            {busy ? 'Pinning…' : 'Pin runner image'}
          </button>
        </div>
      </form>
    </section>
  );
}

function CleanupSection() {
  const [hours, setHours] = useState('');
  const [preview, setPreview] = useState<{ app: string; action: string }[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const inactiveHours = hours === '' ? undefined : Number(hours);

  async function run(dryRun: boolean) {
    setBusy(true);
    setError(undefined);
    try {
      const r = await call<{ apps: { app: string; action: string }[]; commit?: string }>('POST', '/ops/cleanup', {
        body: { dryRun, ...(inactiveHours ? { inactiveHours } : {}) },
      });
      if (dryRun) setPreview(r.apps);
      else {
        setPreview(undefined);
        setDone(`Cleanup done: ${r.apps.length} app(s)${r.commit ? `, commit ${r.commit.slice(0, 7)}` : ''}.`);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="cleanup-title" class="stack narrow">
      <h2 id="cleanup-title">Cleanup of inactive apps</h2>
      <label>
        Inactive for at least (hours, optional)
        <input type="number" min={1} value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
      </label>
      <div class="row">
        <button type="button" onClick={() => void run(true)} disabled={busy}>
          Preview cleanup
        </button>
        <button type="button" class="danger" onClick={() => void run(false)} disabled={busy || preview === undefined || preview.length === 0}>
          Run cleanup
        </button>
      </div>
      <ErrorBox error={error} />
      {done && <p role="status">{done}</p>}
      {preview &&
        (preview.length === 0 ? (
          <p role="status">Nothing to clean up: no app has been inactive that long.</p>
        ) : (
          <ul aria-label="Cleanup preview">
            {preview.map((p) => (
              <li key={p.app}>
                {p.action} <code>{p.app}</code>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

/** Operator tools: commits with trailers and Revert, the runner pin, cleanup with a preview. */
export function OpsPage() {
  return (
    <section aria-labelledby="ops-title" class="stack">
      <h1 id="ops-title">Operations</h1>
      <CommitsSection />
      <div class="two">
        <RunnerPinSection />
        <CleanupSection />
      </div>
    </section>
  );
}
