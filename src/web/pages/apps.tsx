import { useMemo, useState } from 'preact/hooks';
import { ErrorBox } from '../components/error-box.js';
import { StatusBadge } from '../components/status-badge.js';
import { api, type AppSummary } from '../lib/api.js';
import { badgeOf, messageHead } from '../lib/app-status.js';
import { usePolling } from '../lib/polling.js';
import { onLinkClick } from '../lib/router.js';
import { ago } from '../lib/rules.js';

/** How often the list asks again while an app is starting, and otherwise. */
const SETTLING_MS = 2_000;
const IDLE_MS = 30_000;

const badgeOfSummary = (app: AppSummary) => badgeOf(app.live !== undefined, app.runtime);

/**
 * The person's apps with their live state: GET /apps carries what the
 * runtime says of each (derived from Git and the runtime, one call for the
 * whole list), asked again every 2 s while one of them is starting.
 */
export function AppsPage() {
  const [apps, setApps] = useState<AppSummary[] | undefined>();
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<unknown>();

  usePolling(
    () => api.apps(),
    (r) => {
      setApps(r.apps);
      setError(undefined);
    },
    setError,
    (r) => (r?.apps.some((a) => badgeOfSummary(a) === 'starting') ? SETTLING_MS : IDLE_MS),
    [],
  );

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (apps ?? []).filter((a) => !needle || `${a.tenant}/${a.name}`.includes(needle));
  }, [apps, filter]);

  return (
    <section aria-labelledby="apps-title">
      <div class="page-head">
        <h1 id="apps-title">Apps</h1>
        <a class="button primary" href="/new" onClick={onLinkClick}>
          New app
        </a>
      </div>
      <ErrorBox error={error} label="Could not list your apps" />
      {apps === undefined && !error && <p role="status">Loading apps…</p>}
      {apps !== undefined && apps.length === 0 && (
        <div class="empty">
          <p>You have no apps yet. Start one from a template: it takes a minute.</p>
          <a class="button primary" href="/new" onClick={onLinkClick}>
            Create your first app
          </a>
        </div>
      )}
      {apps !== undefined && apps.length > 0 && (
        <>
          <label class="filter">
            Filter apps
            <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="name or tenant" />
          </label>
          <table class="list">
            <caption class="sr-only">Your apps</caption>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Status</th>
                <th scope="col">Live commit</th>
                <th scope="col">URL</th>
                <th scope="col">Last deploy</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((app) => {
                const key = `${app.tenant}/${app.name}`;
                const badge = badgeOfSummary(app);
                return (
                  <tr key={key}>
                    <td>
                      <a href={`/apps/${app.tenant}/${app.name}`} onClick={onLinkClick}>
                        {key}
                      </a>
                    </td>
                    <td>
                      <StatusBadge badge={badge} />
                      {badge === 'failed' && app.runtime?.message ? <div class="hint runtime-message">{messageHead(app.runtime.message).head}</div> : null}
                    </td>
                    <td>{app.live ? <code>{app.live.commit.slice(0, 7)}</code> : <span class="hint">none</span>}</td>
                    <td>
                      {app.live ? (
                        <a href={app.url} rel="noopener" target="_blank">
                          {app.url.replace(/^https?:\/\//, '')}
                        </a>
                      ) : (
                        <span class="hint">{app.url.replace(/^https?:\/\//, '')}</span>
                      )}
                    </td>
                    <td>{app.live ? <time dateTime={app.live.at}>{ago(app.live.at)}</time> : 'never'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {shown.length === 0 && <p>No app matches “{filter}”.</p>}
        </>
      )}
    </section>
  );
}
