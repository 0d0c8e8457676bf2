import { describe, expect, it } from 'vitest';
import { badgeOf, isSettling, messageHead } from '../../src/web/lib/app-status.js';
import { appendLines, filterLines } from '../../src/web/lib/log-view.js';
import { appRequestSchema } from '../../src/http/runtime-schemas.js';
import { prettyBody, readRequestForm, remember } from '../../src/web/lib/request-form.js';

const local = (phase: string, ready: boolean, liveCommit?: string) => ({ kind: 'local', phase, ready, ...(liveCommit ? { liveCommit } : {}) });

describe('the status badge', () => {
  it('says draft only before the first deploy, committed without a runtime, and what the runtime says otherwise', () => {
    expect(badgeOf(false, local('running', true))).toBe('draft only');
    expect(badgeOf(true, undefined)).toBe('committed');
    expect(badgeOf(true, { kind: 'none', phase: 'absent', ready: false })).toBe('committed');
    expect(badgeOf(true, local('running', true))).toBe('live');
    expect(badgeOf(true, local('running', false))).toBe('starting');
    expect(badgeOf(true, local('starting', false))).toBe('starting');
    expect(badgeOf(true, local('failed', false))).toBe('failed');
    expect(badgeOf(true, local('asleep', false))).toBe('asleep');
    expect(badgeOf(true, local('absent', false))).toBe('committed');
  });

  it("keeps asking while the runtime is not yet live at Git's commit, and stops once it settles", () => {
    expect(isSettling('b', local('running', true, 'a'))).toBe(true);
    expect(isSettling('b', local('starting', false, 'a'))).toBe(true);
    expect(isSettling('b', local('absent', false))).toBe(true);
    expect(isSettling('b', local('running', true, 'b'))).toBe(false);
    expect(isSettling('b', local('failed', false, 'a'))).toBe(false);
    expect(isSettling('b', local('asleep', false, 'b'))).toBe(false);
    expect(isSettling(null, local('running', true))).toBe(false);
    expect(isSettling('b', { kind: 'none', phase: 'absent', ready: false })).toBe(false);
  });

  it('keeps the first lines of a crash message', () => {
    expect(messageHead('failed: exited with code 1:\nmain.py:4: ZeroDivisionError\n  File …\n')).toEqual({
      head: 'failed: exited with code 1:\nmain.py:4: ZeroDivisionError',
      more: true,
    });
    expect(messageHead('ready')).toEqual({ head: 'ready', more: false });
  });
});

describe('the Logs panel lines', () => {
  const line = (text: string) => ({ at: '2026-01-01T00:00:00Z', stream: 'stdout' as const, text });

  it('filters by every word of the search, case-insensitively', () => {
    const lines = [line('GET /items 200'), line('POST /items 422'), line('startup complete')];
    expect(filterLines(lines, '').length).toBe(3);
    expect(filterLines(lines, 'items').map((l) => l.text)).toEqual(['GET /items 200', 'POST /items 422']);
    expect(filterLines(lines, 'post  ITEMS').map((l) => l.text)).toEqual(['POST /items 422']);
    expect(filterLines(lines, 'nothing')).toEqual([]);
  });

  it('drops the oldest lines past the cap', () => {
    expect(appendLines([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5]);
    expect(appendLines([1], [2], 4)).toEqual([1, 2]);
  });
});

describe('the Test panel form', () => {
  const form = { method: 'GET' as const, path: '/', headers: '', body: '' };

  it('reads headers and a JSON body, adding the JSON content type', () => {
    expect(readRequestForm({ ...form, method: 'POST', path: ' /items ', headers: 'Authorization: Bearer x\n\nX-Trace: 1', body: '{"a": 1}' })).toEqual({
      ok: true,
      request: { method: 'POST', path: '/items', headers: { Authorization: 'Bearer x', 'X-Trace': '1', 'Content-Type': 'application/json' }, body: '{"a": 1}' },
    });
    expect(readRequestForm({ ...form, method: 'PUT', headers: 'content-type: text/plain', body: '"x"' })).toMatchObject({
      ok: true,
      request: { headers: { 'content-type': 'text/plain' } },
    });
    expect(readRequestForm(form)).toEqual({ ok: true, request: { method: 'GET', path: '/' } });
  });

  it('refuses what the API would, in words', () => {
    expect(readRequestForm({ ...form, path: 'items' })).toMatchObject({ ok: false, problem: expect.stringContaining('Path must start') });
    expect(readRequestForm({ ...form, path: '//evil.example/' })).toMatchObject({ ok: false });
    expect(readRequestForm({ ...form, headers: 'no colon here' })).toMatchObject({ ok: false, problem: 'Header line 1 must look like "Name: value"' });
    expect(readRequestForm({ ...form, headers: 'Bad Name: x' })).toMatchObject({ ok: false });
    expect(readRequestForm({ ...form, method: 'POST', body: '{nope' })).toMatchObject({ ok: false, problem: expect.stringContaining('Body is not JSON') });
    expect(readRequestForm({ ...form, body: '{}' })).toMatchObject({ ok: false, problem: expect.stringContaining('has no body') });
  });

  it('agrees with the API on header names: what the form lets through, the route takes', () => {
    for (const name of ['X-Trace', 'content-type', 'a!b', 'Bad Name', 'é', 'x'.repeat(101)]) {
      const read = readRequestForm({ ...form, headers: `${name}: v` });
      const api = appRequestSchema.safeParse({ method: 'GET', path: '/', headers: { [name]: 'v' } });
      expect(read.ok, name).toBe(api.success);
    }
  });

  it('indents JSON answers and keeps the last 20 requests, newest first', () => {
    expect(prettyBody('{"a":1}', 'application/json')).toBe('{\n  "a": 1\n}');
    expect(prettyBody('<p>hi</p>', 'text/html')).toBe('<p>hi</p>');
    expect(prettyBody('{broken', 'application/json')).toBe('{broken');
    let history: number[] = [];
    for (let i = 1; i <= 25; i++) history = remember(history, i);
    expect(history.length).toBe(20);
    expect(history[0]).toBe(25);
    expect(history.at(-1)).toBe(6);
  });
});
