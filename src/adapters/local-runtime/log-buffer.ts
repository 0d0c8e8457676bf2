import type { LogLine, RuntimeEvent } from '../../services/runtime-port.js';

/** A ring of the newest items with listeners for new ones: an app's output or its events. */
export class Ring<T> {
  private readonly items: T[] = [];
  private readonly listeners = new Set<(item: T) => void>();

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
    for (const listener of this.listeners) listener(item);
  }

  tail(count: number): T[] {
    return count <= 0 ? [] : this.items.slice(-count);
  }

  subscribe(listener: (item: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The longest line kept: a runaway print must not fill Berth's memory. */
const MAX_LINE = 8_192;

/**
 * Splits a child's output stream into lines (a chunk may end mid-line) and
 * pushes each as a {@link LogLine}.
 */
export function lineSplitter(stream: LogLine['stream'], push: (line: LogLine) => void): { write(chunk: Buffer): void; end(): void } {
  let pending = '';
  const emit = (text: string) => push({ at: new Date().toISOString(), stream, text: text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text });
  return {
    write(chunk) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (pending.length > MAX_LINE) {
        lines.push(pending);
        pending = '';
      }
      for (const line of lines) emit(line.replace(/\r$/, ''));
    },
    end() {
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}

/** Follows a ring: the last `tail` items, then new ones until the signal aborts. */
export async function* followRing<T>(ring: Ring<T>, tail: number, signal: AbortSignal): AsyncIterable<T> {
  const queue: T[] = [...ring.tail(tail)];
  let wake: (() => void) | undefined;
  const unsubscribe = ring.subscribe((item) => {
    queue.push(item);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}

export type { LogLine, RuntimeEvent };
