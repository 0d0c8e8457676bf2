import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type AppStatus } from '../../lib/api.js';
import { isSettling } from '../../lib/app-status.js';
import { usePolling } from '../../lib/polling.js';

/** How often the page asks while a deploy settles, and otherwise. */
const SETTLING_MS = 1_000;
const IDLE_MS = 15_000;
/** After something the person did (deploy, sleep, wake), ask quickly for a while even if it looks settled. */
const AFTER_ACTION_MS = 20_000;

/**
 * GET .../status, asked again every second while the runtime is still
 * moving (starting, or not yet at Git's commit) and right after `version`
 * changes; every 15 s otherwise. Stops when the page goes away.
 */
export function useAppStatus(tenant: string, app: string, version: number): { status: AppStatus | undefined; error: unknown } {
  const [status, setStatus] = useState<AppStatus | undefined>();
  const [error, setError] = useState<unknown>();
  const fastUntil = useRef(0);

  useEffect(() => {
    // Version 0 is the page opening: only what the runtime says decides then.
    fastUntil.current = version > 0 ? Date.now() + AFTER_ACTION_MS : 0;
  }, [tenant, app, version]);
  usePolling(
    () => api.status(tenant, app),
    (s) => {
      setStatus(s);
      setError(undefined);
    },
    setError,
    (s) => (s && (isSettling(s.git.commit, s.runtime) || Date.now() < fastUntil.current) ? SETTLING_MS : IDLE_MS),
    [tenant, app, version],
  );

  return { status, error };
}
