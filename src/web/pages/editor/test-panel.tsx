import { useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import { api, type AppAnswer } from '../../lib/api.js';
import { METHODS, prettyBody, readRequestForm, remember, type Method, type RequestForm } from '../../lib/request-form.js';

interface Sent {
  readonly id: number;
  readonly form: RequestForm;
  readonly answer: AppAnswer;
}

const statusClass = (status: number) => (status < 400 ? 's-ready' : 's-failed');

/**
 * Sends one request to the app's live URL through Berth (POST .../request)
 * and shows the answer. The last 20 stay in this page's memory only: never
 * in browser storage, gone on reload.
 */
export function TestPanel({ tenant, app }: { tenant: string; app: string }) {
  const [form, setForm] = useState<RequestForm>({ method: 'GET', path: '/', headers: '', body: '' });
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [history, setHistory] = useState<Sent[]>([]);
  const [shown, setShown] = useState<Sent | undefined>();
  const edit = (patch: Partial<RequestForm>) => setForm({ ...form, ...patch });

  async function send(event: Event) {
    event.preventDefault();
    const parsed = readRequestForm(form);
    if (!parsed.ok) return setProblem(parsed.problem);
    setProblem(undefined);
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.request(tenant, app, parsed.request);
      const sent = { id: Date.now(), form, answer };
      setHistory((prev) => remember(prev, sent));
      setShown(sent);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const answer = shown?.answer;
  const contentType = answer ? Object.entries(answer.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] : undefined;
  return (
    <section aria-labelledby="test-title" class="runtime-panel test-panel">
      <div class="test-main stack">
        <h2 id="test-title">Test a request</h2>
        <form onSubmit={(e) => void send(e)} class="stack" aria-describedby="test-help">
          <p id="test-help" class="hint">
            Berth sends it to this app's live URL only (10 s timeout, 1 MiB each way).
          </p>
          <div class="row request-line">
            <label class="inline">
              Method
              <select value={form.method} onChange={(e) => edit({ method: e.currentTarget.value as Method })}>
                {METHODS.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </label>
            <label class="inline grow">
              Path
              <input
                value={form.path}
                spellcheck={false}
                autoComplete="off"
                aria-invalid={problem?.startsWith('Path') ? 'true' : 'false'}
                onInput={(e) => edit({ path: e.currentTarget.value })}
              />
            </label>
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Sending…' : 'Send'}
            </button>
          </div>
          <div class="two-cols">
            <label>
              Headers
              <textarea
                rows={4}
                value={form.headers}
                spellcheck={false}
                placeholder="Authorization: Bearer …"
                aria-describedby="headers-help"
                onInput={(e) => edit({ headers: e.currentTarget.value })}
              />
              <span id="headers-help" class="hint">
                One "Name: value" per line.
              </span>
            </label>
            <label>
              JSON body
              <textarea rows={4} value={form.body} spellcheck={false} placeholder='{"name": "value"}' onInput={(e) => edit({ body: e.currentTarget.value })} />
            </label>
          </div>
          {problem && (
            <p class="field-error" role="alert">
              {problem}
            </p>
          )}
        </form>
        <ErrorBox error={error} label="The request was not sent" />
        {answer && (
          <section aria-labelledby="answer-title" class="answer">
            <h3 id="answer-title">
              Response <span class={`pill ${statusClass(answer.status)}`}>{answer.status}</span> <span class="hint">{Math.round(answer.ms)} ms</span>
              {answer.truncated && <span class="badge bad">cut at 1 MiB</span>}
            </h3>
            <details>
              <summary>Headers ({Object.keys(answer.headers).length})</summary>
              <table class="list headers">
                <caption class="sr-only">Response headers</caption>
                <tbody>
                  {Object.entries(answer.headers).map(([k, v]) => (
                    <tr key={k}>
                      <th scope="row">{k}</th>
                      <td>{v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
            <pre class="answer-body" tabIndex={0} aria-label="Response body">
              {prettyBody(answer.body, contentType) || '(empty body)'}
            </pre>
          </section>
        )}
      </div>
      <aside aria-labelledby="history-title" class="history">
        <h3 id="history-title">Recent requests</h3>
        {history.length === 0 ? (
          <p class="hint">None yet. The last 20 stay here until you leave the page.</p>
        ) : (
          <ol>
            {history.map((h) => (
              <li key={h.id}>
                <button
                  type="button"
                  class={`history-item${shown?.id === h.id ? ' chosen' : ''}`}
                  aria-current={shown?.id === h.id ? 'true' : undefined}
                  onClick={() => {
                    setForm(h.form);
                    setShown(h);
                  }}
                >
                  <span class="method">{h.form.method}</span> <span class="path">{h.form.path}</span>{' '}
                  <span class={`pill ${statusClass(h.answer.status)}`}>{h.answer.status}</span>
                  <span class="hint">{Math.round(h.answer.ms)} ms</span>
                </button>
              </li>
            ))}
          </ol>
        )}
      </aside>
    </section>
  );
}
