import { ApiError, raw } from './api.js';
import { parseBlock, type ServerEvent } from './sse-parse.js';

export type { ServerEvent };

/**
 * Reads a server-sent event stream with fetch, so the bearer header goes
 * along (EventSource cannot send one, and a token never goes in a URL).
 * Calls `onEvent` per event until the stream ends or `signal` aborts.
 */
export async function readEvents(path: string, onEvent: (event: ServerEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await raw('GET', path, { signal, headers: { Accept: 'text/event-stream' } });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
    throw new ApiError(res.status, body?.error?.code ?? 'error', body?.error?.message ?? `HTTP ${res.status}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const parsed = parseBlock(block);
      if (parsed) onEvent(parsed);
    }
  }
}
