import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import { appPath, type LogLine } from '../../lib/api.js';
import { appendLines, filterLines } from '../../lib/log-view.js';
import { readEvents } from '../../lib/sse.js';

const TAILS = [100, 200, 500, 1000] as const;

/**
 * The app's output: the last `tail` lines, then new ones as they come
 * (fetch streaming of the server-sent events, so the bearer header goes
 * along). Pause holds new lines back without dropping them; the search box
 * filters what is shown.
 */
export function LogsPanel({ tenant, app }: { tenant: string; app: string }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [held, setHeld] = useState<LogLine[]>([]);
  const [paused, setPaused] = useState(false);
  const [tail, setTail] = useState<number>(200);
  const [query, setQuery] = useState('');
  const [state, setState] = useState<'connecting' | 'following' | 'ended'>('connecting');
  const [error, setError] = useState<unknown>();
  const [connection, setConnection] = useState(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  useEffect(() => {
    const abort = new AbortController();
    setLines([]);
    setHeld([]);
    setError(undefined);
    setState('connecting');
    // Lines arrive in bursts: collect them and render once per frame.
    let batch: LogLine[] = [];
    let frame: number | undefined;
    const flush = () => {
      frame = undefined;
      const more = batch;
      batch = [];
      if (pausedRef.current) setHeld((prev) => appendLines(prev, more));
      else setLines((prev) => appendLines(prev, more));
    };
    readEvents(
      `${appPath(tenant, app)}/logs?follow=true&tail=${tail}`,
      (event) => {
        if (event.event !== 'line') return;
        batch.push(JSON.parse(event.data) as LogLine);
        frame ??= requestAnimationFrame(flush);
      },
      abort.signal,
    ).then(
      () => !abort.signal.aborted && setState('ended'),
      (err: unknown) => {
        if (abort.signal.aborted) return;
        setError(err);
        setState('ended');
      },
    );
    setState('following');
    return () => {
      abort.abort();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [tenant, app, tail, connection]);

  const shown = useMemo(() => filterLines(lines, query), [lines, query]);

  // Stay at the bottom while following, unless the person scrolled up to read.
  useLayoutEffect(() => {
    const el = box.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  function resume() {
    setLines((prev) => appendLines(prev, held));
    setHeld([]);
    setPaused(false);
  }

  return (
    <section aria-labelledby="logs-title" class="stack runtime-panel">
      <div class="panel-head">
        <h2 id="logs-title">Logs</h2>
        <span class="hint" role="status">
          {paused
            ? `Paused${held.length > 0 ? `, ${held.length} new line${held.length === 1 ? '' : 's'} held back` : ''}`
            : state === 'following'
              ? 'Following'
              : state === 'ended'
                ? 'Stream ended'
                : 'Connecting…'}
        </span>
      </div>
      <div class="row toolbar">
        <label class="inline">
          Search
          <input type="search" value={query} placeholder="filter lines" onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <label class="inline">
          Lines
          <select value={String(tail)} onChange={(e) => setTail(Number(e.currentTarget.value))}>
            {TAILS.map((n) => (
              <option key={n} value={String(n)}>
                last {n}
              </option>
            ))}
          </select>
        </label>
        {paused ? (
          <button type="button" onClick={resume}>
            Resume
          </button>
        ) : (
          <button type="button" onClick={() => setPaused(true)}>
            Pause
          </button>
        )}
        {state === 'ended' && (
          <button type="button" onClick={() => setConnection((n) => n + 1)}>
            Reconnect
          </button>
        )}
        <span class="hint">{query.trim() ? `${shown.length} of ${lines.length} lines` : `${lines.length} lines`}</span>
      </div>
      <ErrorBox error={error} label="The log stream broke off" />
      <div
        class="log-lines"
        ref={box}
        role="log"
        aria-label="App output"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {shown.length === 0 ? (
          <p class="hint">{lines.length === 0 ? 'No output yet. Requests to the app and anything it prints show up here.' : 'No line matches the search.'}</p>
        ) : (
          shown.map((line, i) => (
            <div key={i} class={`log-line ${line.stream}`}>
              <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time> <span>{line.text}</span>
            </div>
          ))
        )}
      </div>
    </section>
  );
}
