import { useEffect } from 'preact/hooks';

/**
 * Calls `ask` now and again after each answer, waiting as long as `delayAfter`
 * says for that answer (or failure), until the component goes away or a dep
 * changes. One request at a time: the next waits for the last.
 */
export function usePolling<T>(
  ask: () => Promise<T>,
  onAnswer: (value: T) => void,
  onError: (err: unknown) => void,
  delayAfter: (value: T | undefined) => number,
  deps: readonly unknown[],
): void {
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      let value: T | undefined;
      try {
        value = await ask();
        if (stopped) return;
        onAnswer(value);
      } catch (err) {
        if (stopped) return;
        onError(err);
      }
      timer = setTimeout(() => void tick(), delayAfter(value));
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
    // The callers pass what the request depends on; the callbacks may be new on every render.
  }, deps);
}
