import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api.js';

interface StatusBody {
  readonly git?: { readonly commit?: string | null };
  /** issue 10's shape; `cluster` is today's, kept as an alias while clients move. */
  readonly runtime?: { readonly kind?: string; readonly ready?: boolean; readonly message?: string; readonly liveCommit?: string };
  readonly cluster?: { readonly ready?: boolean; readonly message?: string; readonly revision?: string };
}

/**
 * What Git and the runtime say about the app (GET .../status), one line.
 * Its own component so the later Logs, Events and Test panels sit beside it.
 */
export function StatusLine({ tenant, app, version }: { tenant: string; app: string; version: number }) {
  const [status, setStatus] = useState<StatusBody | undefined>();
  useEffect(() => {
    api.status(tenant, app).then(
      (s) => setStatus(s as StatusBody | undefined),
      () => setStatus(undefined),
    );
  }, [tenant, app, version]);
  if (!status) return null;
  const runtime = status.runtime ?? status.cluster;
  const commit = status.git?.commit;
  return (
    <p class="hint status-line">
      {commit ? (
        <>
          Git: <code>{commit.slice(0, 7)}</code>
        </>
      ) : (
        'Git: not deployed'
      )}
      {runtime?.message ? ` · ${runtime.ready === true ? 'ready' : runtime.ready === false ? 'not ready' : 'runtime'}: ${runtime.message}` : ''}
    </p>
  );
}
