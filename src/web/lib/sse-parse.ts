/* Pure: the server-sent events format, without the DOM (unit-tested in Node). */

export interface ServerEvent {
  readonly event: string;
  readonly data: string;
}

/** One event block; comment lines (heartbeats) and blocks without data are skipped. */
export function parseBlock(block: string): ServerEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { event, data: data.join('\n') } : undefined;
}
