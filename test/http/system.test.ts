import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

/*
 * GET /api/v1/system: the warnings an operator must act on, for any signed-in
 * user. The harness repo is made with the skeleton's placeholder runner pin,
 * as `berth repo init --placeholder-runner-image` and embedded mode make it.
 */

let h: Harness;
let alice: string;
let bob: string;

beforeAll(async () => {
  h = await createHarness();
  alice = await h.signup('alice');
  bob = await h.signup('bob');
});
afterAll(async () => h?.close());

describe('GET /api/v1/system', () => {
  it('needs a signed-in user', async () => {
    const res = await h.call('GET', '/api/v1/system');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: expect.any(String) } });
  });

  it('warns every signed-in user about the placeholder runner pin, then stops once a real digest is pinned', async () => {
    for (const token of [alice, bob]) {
      const res = await h.call('GET', '/api/v1/system', { token });
      expect(res.status).toBe(200);
      expect(res.body.warnings).toEqual([{ code: 'placeholder_runner_pin', message: expect.stringContaining(`sha256:${'0'.repeat(64)}`) }]);
      expect(res.body.warnings[0].message).toMatch(/health check/);
    }
    // alice signed up first, so she is the admin and may pin the fleet.
    const pin = await h.call('POST', '/api/v1/ops/runner-image', { token: alice, body: { image: 'ghcr.io/acme/runner', digest: `sha256:${'ab'.repeat(32)}` } });
    expect(pin.status).toBe(202);
    await expect.poll(async () => (await h.call('GET', '/api/v1/system', { token: bob })).body.warnings, { timeout: 10_000 }).toEqual([]);
  });

  it('is in the OpenAPI document with its response shape', async () => {
    const doc = (await h.call('GET', '/api/v1/openapi.json')).body;
    const op = doc.paths['/api/v1/system']?.get ?? doc.paths['/system']?.get;
    expect(op).toBeDefined();
    expect(JSON.stringify(op.responses)).toContain('warnings');
  });
});

describe('app names', () => {
  it('refuses an app whose name starts with a digit with 400, saying why, and creates nothing', async () => {
    const before = await h.snapshot();
    const res = await h.call('POST', '/api/v1/apps', { token: alice, body: { name: '9lives', template: 'hello' } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toMatch(/must start with a letter.*DNS-1035/);
    expect(await h.snapshot()).toEqual(before);
  });
});
