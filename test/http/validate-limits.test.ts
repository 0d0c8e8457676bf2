import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

let h: Harness;
let alice: string;
let bob: string;
beforeAll(async () => {
  // 4 a minute: a burst of 1, then one every 15 s.
  h = await createHarness({ validatePerMinute: 4 });
  alice = await h.signup('alice');
  bob = await h.signup('bob');
  for (const [token, tenant] of [
    [alice, 'alice'],
    [bob, 'bob'],
  ] as const) {
    const created = await h.call('POST', '/api/v1/apps', { token, body: { name: 'hello', template: 'hello' } });
    expect(created.status, `${tenant}: ${JSON.stringify(created.body)}`).toBe(201);
  }
});
afterAll(async () => h?.close());

describe('POST /apps/:tenant/:app/validate is limited per user', () => {
  it("answers 429 with Retry-After past the user's rate, and leaves other users alone", async () => {
    const first = await h.call('POST', '/api/v1/apps/alice/hello/validate', { token: alice, body: {} });
    expect(first.status).toBe(200);
    expect(first.body.ok).toBe(true);
    const second = await h.call('POST', '/api/v1/apps/alice/hello/validate', { token: alice, body: {} });
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('rate_limited');
    expect(Number(second.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    // Refused before the body is parsed: a malformed one gets the same 429, not a 400.
    expect((await h.call('POST', '/api/v1/apps/alice/hello/validate', { token: alice, body: '{not json' })).status).toBe(429);
    const other = await h.call('POST', '/api/v1/apps/bob/hello/validate', { token: bob, body: {} });
    expect(other.status).toBe(200);
  });

  it('does not limit the validation a deploy runs', async () => {
    const deploy = await h.call('POST', '/api/v1/apps/alice/hello/deploy', { token: alice, body: {} });
    expect(deploy.status, JSON.stringify(deploy.body)).toBe(202);
  });
});
