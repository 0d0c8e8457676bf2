/** The `event:`/`data:` pairs of a server-sent event stream, as they arrive (comments and heartbeats skipped). */
export async function* sseEvents(res: Response): AsyncIterable<{ readonly event: string; readonly data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body ?? []) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (event && data) yield { event, data };
    }
  }
}
