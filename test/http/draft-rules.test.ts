import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appEnvForHost } from '../../src/adapters/local-runtime/runner-process.js';
import { createHarness, type Harness } from './harness.js';

/*
 * What a deploy job would refuse is refused by the request that would
 * queue it: 400 naming the variable and why, nothing stored, nothing queued.
 */
let h: Harness;
let token: string;
const code = { 'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n' };
beforeAll(async () => {
  h = await createHarness();
  token = await h.signup('alice');
  expect((await h.call('POST', '/api/v1/apps', { token, body: { name: 'web', files: code, entrypoint: 'main.py' } })).status).toBe(201);
}, 120_000);
afterAll(async () => h.close());

const RESERVED = [
  'PORT',
  'CODE_DIR',
  'ENTRYPOINT',
  'BERTH_ALLOWED_IMPORTS',
  'PYTHONPATH',
  'PYTHONSTARTUP',
  'PYTHONHOME',
  'PYTHONINSPECT',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
];

describe('env names and values at PUT …/draft', () => {
  it.each(RESERVED)('refuses %s with 400 naming it and why, and changes nothing', async (name) => {
    const before = await h.snapshot();
    for (const value of ['x', { secret: true, value: 'x' }]) {
      const res = await h.call('PUT', '/api/v1/apps/alice/web/draft', { token, body: { files: code, entrypoint: 'main.py', env: { [name]: value } } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(name);
      expect(res.body.error.message).toMatch(/reserved: .+/);
    }
    expect(await h.snapshot()).toEqual(before);
  });

  it('refuses a NUL in a plain or a secret value, and the same at app creation', async () => {
    const before = await h.snapshot();
    for (const value of ['a\u0000b', { secret: true, value: 'a\u0000b' }]) {
      const res = await h.call('PUT', '/api/v1/apps/alice/web/draft', { token, body: { files: code, entrypoint: 'main.py', env: { GREETING: value } } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/GREETING contains a NUL/);
    }
    const created = await h.call('POST', '/api/v1/apps', { token, body: { name: 'other', files: code, entrypoint: 'main.py', env: { PYTHONPATH: '/tmp' } } });
    expect(created.status).toBe(400);
    expect(await h.snapshot()).toEqual(before);
  });

  it('accepts ordinary names', async () => {
    const res = await h.call('PUT', '/api/v1/apps/alice/web/draft', {
      token,
      body: { files: code, entrypoint: 'main.py', env: { GREETING: 'hi', PORTAL_URL: 'https://x', MY_PYTHON_FLAG: '1' } },
    });
    expect(res.status).toBe(200);
  });

  it('the local runtime drops the same names by the same rule', () => {
    expect(appEnvForHost({ GREETING: 'hi', PORT: '1', CODE_DIR: '/', LD_PRELOAD: 'x', PYTHONHOME: '/', BERTH_X: '1', BAD: 'a\u0000' })).toEqual({
      GREETING: 'hi',
    });
  });
});

describe('the deploy message', () => {
  it.each([
    ['a NUL', 'fix\u0000'],
    ['a newline (a forged trailer)', 'fix\nBerth-Request: someone-else'],
  ])('with %s is refused with 400 and nothing is queued', async (_what, message) => {
    const before = await h.snapshot();
    const res = await h.call('POST', '/api/v1/apps/alice/web/deploy', { token, body: { message } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toMatch(/message must be one line of text/);
    expect(await h.snapshot()).toEqual(before);
  });

  it('an ordinary message deploys', async () => {
    const res = await h.call('POST', '/api/v1/apps/alice/web/deploy', { token, body: { message: 'first release' } });
    expect(res.status).toBe(202);
  });
});
