import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolOrSkip } from '../support/tools.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PYTHON = '/usr/bin/python3';

// The runner's own suite starts real runner processes and calls them over
// HTTP; it needs Debian's python3-fastapi, -uvicorn, -httpx, -jinja2, -multipart,
// -email-validator and -websockets (real apps use Form, File, EmailStr, websockets).
describe.skipIf(!toolOrSkip(PYTHON, ['-c', 'import fastapi, uvicorn, httpx, jinja2, multipart, email_validator, websockets']))('runner (Python suite)', () => {
  it('passes runner/tests under the system CPython', () => {
    const result = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', join('runner', 'tests'), '-v'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/^OK/m);
  }, 300_000);
});
