import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/errors.js';
import { createPythonValidator, type PythonValidator } from '../../src/adapters/pyodide/python-validator.js';
import { ROOT } from './support.js';

// validation.py plus one hook that never returns for a marked file: a stand-in
// for a pathological input, so the deadline is tested without guessing timings.
function hangingValidationSource(): string {
  const original = readFileSync(join(ROOT, 'runner', 'validation.py'), 'utf8');
  const hook = `
_real_validate_json = validate_json
def validate_json(payload):
    if "HANG-FOREVER" in payload:
        while True:
            pass
    return _real_validate_json(payload)
`;
  const path = join(mkdtempSync(join(tmpdir(), 'berth-validate-')), 'validation.py');
  writeFileSync(path, original + hook);
  return path;
}

describe('a call that overruns its deadline', () => {
  let validator: PythonValidator;
  beforeAll(async () => {
    validator = createPythonValidator({ timeoutMs: 1_500, validationSourcePath: hangingValidationSource() });
    await validator.ready;
  });
  afterAll(() => validator.close());

  it('is rejected on time without blocking the event loop, and the next call works on a fresh worker', async () => {
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(performance.now()), 50);
    const started = performance.now();
    const hung = validator.validate({ 'main.py': '# HANG-FOREVER\napp = 1\n' }, 'main.py');
    const queued = validator.validate({ 'main.py': 'import os\napp = 1\n' }, 'main.py');
    await expect(hung).rejects.toBeInstanceOf(UnavailableError);
    const elapsed = performance.now() - started;
    clearInterval(ticker);
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(4_000);
    expect(ticks.length, 'the event loop kept running while Python spun').toBeGreaterThan(15);
    const problems = await queued;
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.rule}`)).toEqual(['main.py:1:1 import']);
  });
});

describe('pre-checks in TypeScript', () => {
  let validator: PythonValidator;
  beforeAll(() => {
    validator = createPythonValidator({ timeoutMs: 10_000 });
  });
  afterAll(() => validator.close());

  it('refuse oversized apps and bad paths before anything reaches Python', async () => {
    const files: Record<string, string> = { 'main.py': 'app = 1\n', 'Bad Name.py': '' };
    for (let i = 0; i < 6; i += 1) files[`big${i}.txt`] = 'x'.repeat(99 * 1024);
    const problems = await validator.validate(files, 'main.py');
    expect(problems.map((p) => [p.file, p.rule])).toEqual([
      ['Bad Name.py', 'path'],
      ['main.py', 'size'],
    ]);
    expect(problems[1]?.message).toContain('at most 512000 (500 KB)');
  });
});
