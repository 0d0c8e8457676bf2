import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CodeProblem } from '../../src/errors.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const PYTHON = '/usr/bin/python3';

const caseSchema = z.object({
  name: z.string(),
  files: z.record(z.string(), z.string()),
  entrypoint: z.string().optional(),
  allowedImports: z.array(z.string()).optional(),
  expect: z.array(
    z.object({
      file: z.string(),
      line: z.number().optional(),
      column: z.number().optional(),
      rule: z.string(),
      contains: z.string(),
    }),
  ),
});
export type ValidationCase = z.infer<typeof caseSchema>;

/** The case table runner/tests/test_validation.py checks on CPython. */
export function readCases(): ValidationCase[] {
  return z.array(caseSchema).parse(JSON.parse(readFileSync(join(ROOT, 'runner', 'tests', 'cases.json'), 'utf8')));
}

/** Runs a Python snippet under the system's CPython with JSON on stdin and stdout. */
export function cpythonJson(script: string, input: unknown): unknown {
  const out = execFileSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    cwd: join(ROOT, 'runner'),
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return JSON.parse(out.toString('utf8'));
}

export function formatProblem(p: CodeProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message} [${p.rule}]`;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
