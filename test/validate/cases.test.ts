import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonValidator, type PythonValidator } from '../../src/adapters/pyodide/python-validator.js';
import { hasTool } from '../support/tools.js';
import { cpythonJson, formatProblem, percentile, PYTHON, readCases } from './support.js';

const cases = readCases();
let validator: PythonValidator;
let loadMs = 0;

beforeAll(async () => {
  const started = performance.now();
  validator = createPythonValidator({ timeoutMs: 10_000 });
  await validator.ready;
  loadMs = performance.now() - started;
});
afterAll(() => validator.close());

describe('validation through Pyodide', () => {
  it('runs the Python of the runner image (3.13)', () => {
    expect(validator.pythonVersion()).toMatch(/^3\.13\./);
    console.log(`Pyodide ${validator.pythonVersion()} loaded with validation.py in ${loadMs.toFixed(0)} ms`);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const problems = await validator.validate(c.files, c.entrypoint ?? 'main.py', c.allowedImports);
    const shown = problems.map(formatProblem).join('\n');
    expect(problems.length, shown).toBe(c.expect.length);
    c.expect.forEach((want, i) => {
      const got = problems[i];
      expect(got, shown).toBeDefined();
      expect(got?.file, shown).toBe(want.file);
      expect(got?.rule, shown).toBe(want.rule);
      if (want.line !== undefined) expect(got?.line, shown).toBe(want.line);
      if (want.column !== undefined) expect(got?.column, shown).toBe(want.column);
      expect(got?.message, shown).toContain(want.contains);
    });
  });

  it.skipIf(!hasTool(PYTHON))('gives the same problems as the runner on CPython, case for case', async () => {
    const script = [
      'import json, sys, validation',
      'cases = json.load(sys.stdin)',
      'print(json.dumps([validation.validate(c["files"], c.get("entrypoint", "main.py"), c.get("allowedImports")) for c in cases]))',
    ].join('\n');
    const native = cpythonJson(script, cases);
    const viaPyodide = [];
    for (const c of cases) viaPyodide.push(await validator.validate(c.files, c.entrypoint ?? 'main.py', c.allowedImports));
    expect(viaPyodide).toEqual(native);
  });

  it('lists the default allow-list without os, sys, pathlib or httpx', () => {
    const allowed = validator.defaultAllowedImports();
    expect(allowed).toContain('fastapi');
    expect(allowed).toContain('fasthtml');
    expect(allowed).toContain('pymongo');
    for (const name of ['os', 'sys', 'pathlib', 'subprocess', 'socket', 'httpx']) expect(allowed).not.toContain(name);
  });

  it('measures validate() latency for a small app', async () => {
    const files = {
      'main.py': 'from fastapi import FastAPI\nfrom api.routes import router\napp = FastAPI()\napp.include_router(router)\n',
      'api/routes.py':
        'from fastapi import APIRouter\nfrom pydantic import BaseModel\nrouter = APIRouter()\n\n' +
        'class Item(BaseModel):\n    name: str\n\n@router.get("/items")\ndef items() -> list[Item]:\n    return [Item(name="a")]\n',
    };
    const samples: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const started = performance.now();
      expect(await validator.validate(files, 'main.py')).toEqual([]);
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const [p50, p95] = [percentile(samples, 50), percentile(samples, 95)];
    console.log(`validate() small app: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms over ${samples.length} calls`);
    expect(p95).toBeLessThan(250);
  });
});
