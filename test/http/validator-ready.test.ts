import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPythonValidator } from '../../src/adapters/pyodide/python-validator.js';
import { createHarness, type Harness } from './harness.js';

/*
 * The harness is built by src/compose.ts like `npm start`, so these go
 * through the same wrapper production uses around the Pyodide validator.
 */
const harnesses: Harness[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'berth-validator-ready-'));
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  rmSync(scratch, { recursive: true, force: true });
});

const code = { files: { 'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n' }, entrypoint: 'main.py' };

async function withApp(validator: ReturnType<typeof createPythonValidator>) {
  const h = await createHarness({ validator });
  harnesses.push(h);
  const token = await h.signup('alice');
  const created = await h.call('POST', '/api/v1/apps', { token, body: { name: 'web', ...code } });
  expect(created.status).toBe(201);
  return { h, token };
}

describe('the Python validator through the composition root', () => {
  it('makes validate wait while Pyodide loads, then answers with the verdict', async () => {
    const validator = createPythonValidator({ timeoutMs: 10_000 });
    let settled = false;
    void validator.ready.finally(() => (settled = true)).catch(() => undefined);
    const { h, token } = await withApp(validator);
    expect(settled).toBe(false); // the request below is made while Pyodide is still loading
    const res = await h.call('POST', '/api/v1/apps/alice/web/validate', { token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.problems).toEqual([]);
  });

  it('answers 503 unavailable for validate and deploy when Pyodide failed to load, and changes nothing', async () => {
    const broken = join(scratch, 'validation.py');
    writeFileSync(broken, 'raise RuntimeError("validation.py is broken")\n');
    const validator = createPythonValidator({ timeoutMs: 10_000, validationSourcePath: broken });
    const { h, token } = await withApp(validator);
    await expect(validator.ready).rejects.toThrow();
    const before = await h.snapshot();
    const validate = await h.call('POST', '/api/v1/apps/alice/web/validate', { token, body: {} });
    expect(validate.status).toBe(503);
    expect(validate.body.error.code).toBe('unavailable');
    const deploy = await h.call('POST', '/api/v1/apps/alice/web/deploy', { token, body: {} });
    expect(deploy.status).toBe(503);
    expect(deploy.body.error.code).toBe('unavailable');
    expect(await h.snapshot()).toEqual(before);
  });
});
