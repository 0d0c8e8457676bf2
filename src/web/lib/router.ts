import { useEffect, useState } from 'preact/hooks';

/**
 * A few routes, so a tiny history router: pages are chosen from
 * `location.pathname`, links push state. A page with unsaved work sets a
 * leave guard that is asked before navigating away (and on unload).
 */
let leaveGuard: (() => boolean) | undefined;
const listeners = new Set<() => void>();

export function setLeaveGuard(guard: (() => boolean) | undefined): void {
  leaveGuard = guard;
}

/** True when it is fine to leave (no guard, or the person agreed). */
export function mayLeave(): boolean {
  return !leaveGuard || leaveGuard();
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (!mayLeave()) return;
  leaveGuard = undefined;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Click handler for in-app links: plain clicks route here, modified clicks open as the browser would. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (anchor.origin !== location.origin) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
