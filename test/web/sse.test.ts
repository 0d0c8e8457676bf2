import { describe, expect, it } from 'vitest';
import { parseBlock } from '../../src/web/lib/sse-parse.js';

/** The browser reads deployment events with fetch; this is its parser of one event block. */
describe('parseBlock', () => {
  it('reads the event name and data of a block', () => {
    expect(parseBlock('event: stage\nid: 3\ndata: {"stage":"committed"}')).toEqual({ event: 'stage', data: '{"stage":"committed"}' });
  });

  it('joins multi-line data and defaults the event to message', () => {
    expect(parseBlock('data: one\ndata: two')).toEqual({ event: 'message', data: 'one\ntwo' });
  });

  it('skips heartbeats (comment lines) and blocks without data', () => {
    expect(parseBlock(': heartbeat')).toBeUndefined();
    expect(parseBlock('event: end')).toBeUndefined();
  });

  it('keeps a value without the optional space, and colons inside it', () => {
    expect(parseBlock('event:end\ndata:{"at":"12:00"}')).toEqual({ event: 'end', data: '{"at":"12:00"}' });
  });
});
