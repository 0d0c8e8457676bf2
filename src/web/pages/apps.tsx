import { useEffect, useMemo, useState } from 'preact/hooks';
import { ErrorBox } from '../components/error-box.js';
import { api, type AppSummary } from '../lib/api.js';
import { onLinkClick } from '../lib/router.js';
import { ago } from '../lib/rules.js';

type Status = 'draft only' | 'committed' | 'live' | 'failed' | 'asleep';

/** What the list can say from the app alone; the status route refines it when it answers. */
function baseStatus(app: AppSummary): Status {
  return app.live ? 'committed' : 'draft only';
}

/** Reads GET .../status in either shape (runtime: issue 10; cluster: today), tolerating its absence. */
export function statusFrom(body: Record<string, unknown> | undefined, fallback: Status): Status {
  const runtime = (body?.runtime ?? body?.cluster) as { ready?: boolean; replicas?: { desired?: number } | number; message?: string } | undefined;
  if (!runtime || fallback === 'draft only') return fallback;
  const desired = typeof runtime.replicas === 'object' ? runtime.replicas.desired : undefined;
  if (desired === 0) return 'asleep';
  if (runtime.ready === true) return 'live';
  if (runtime.ready === false && /fail|error/i.test(runtime.message ?? '')) return 'failed';
  return fallback;
}

export function AppsPage() {
  const [apps, setApps] = useState<AppSummary[] | undefined>();
  const [statuses, setStatuses] = useState<Record<string, Status>>({});
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    api.apps().then((r) => {
      setApps(r.apps);
      for (const app of r.apps.slice(0, 50)) {
        api.status(app.tenant, app.name).then(
          (s) => setStatuses((prev) => ({ ...prev, [`${app.tenant}/${app.name}`]: statusFrom(s, baseStatus(app)) })),
          () => undefined,
        );
      }
    }, setError);
  }, []);

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
                <th scope="col">URL</th>
                <th scope="col">Last deploy</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((app) => {
                const key = `${app.tenant}/${app.name}`;
                const status = statuses[key] ?? baseStatus(app);
                return (
                  <tr key={key}>
                    <td>
                      <a href={`/apps/${app.tenant}/${app.name}`} onClick={onLinkClick}>
                        {key}
                      </a>
                    </td>
                    <td>
                      <span class={`pill s-${status.replace(' ', '-')}`}>{status}</span>
                    </td>
                    <td>
                      <a href={app.url} rel="noreferrer" target="_blank">
                        {app.url.replace(/^https?:\/\//, '')}
                      </a>
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
