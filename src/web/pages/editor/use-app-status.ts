import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type AppStatus } from '../../lib/api.js';
import { isSettling } from '../../lib/app-status.js';

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
    fastUntil.current = Date.now() + AFTER_ACTION_MS;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      let next = IDLE_MS;
      try {
        const s = await api.status(tenant, app);
        if (stopped) return;
        setStatus(s);
        setError(undefined);
        if (isSettling(s.git.commit, s.runtime) || Date.now() < fastUntil.current) next = SETTLING_MS;
      } catch (err) {
        if (stopped) return;
        setError(err);
      }
      timer = setTimeout(() => void tick(), next);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [tenant, app, version]);

  return { status, error };
}
