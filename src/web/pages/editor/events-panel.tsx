import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import { api, type RuntimeEvent } from '../../lib/api.js';

/** What the runtime (and Flux, in a cluster) said about the app, newest first; asked again when `version` moves. */
export function EventsPanel({ tenant, app, version }: { tenant: string; app: string; version: number }) {
  const [events, setEvents] = useState<RuntimeEvent[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    api.events(tenant, app).then((r) => {
      setEvents([...r.events].reverse());
      setError(undefined);
    }, setError);
  }, [tenant, app, version, asked]);

  return (
    <section aria-labelledby="events-title" class="stack runtime-panel">
      <div class="panel-head">
        <h2 id="events-title">Events</h2>
        <button type="button" class="small" onClick={() => setAsked((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <ErrorBox error={error} label="Could not read the events" />
      {events === undefined && !error && <p role="status">Loading events…</p>}
      {events !== undefined && events.length === 0 && <p>No events yet: they start with the first deploy the runtime runs.</p>}
      {events !== undefined && events.length > 0 && (
        <table class="list">
          <caption class="sr-only">Events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Type</th>
              <th scope="col">Reason</th>
              <th scope="col">Message</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e, i) => (
              <tr key={`${e.at}-${i}`}>
                <td>
                  <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time>
                </td>
                <td>
                  <span class={`pill ${e.type === 'Warning' ? 's-failed' : 's-ready'}`}>{e.type}</span>
                </td>
                <td>{e.reason}</td>
                <td class="event-message">{e.message}</td>
                <td class="hint">{e.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
