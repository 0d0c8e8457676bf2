import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(join(ROOT, 'runner', 'Dockerfile'), 'utf8');
const lock = z
  .object({ info: z.object({ python: z.string() }) })
  .parse(JSON.parse(readFileSync(join(ROOT, 'node_modules', 'pyodide', 'pyodide-lock.json'), 'utf8')));

// No Docker engine runs here: these are the promises of the Dockerfile that a
// reader could break without noticing.
describe('runner/Dockerfile', () => {
  it('uses the Python minor version of the API\'s Pyodide, pinned by digest', () => {
    const image = /^ARG PYTHON_IMAGE=python:(\d+\.\d+)-slim[\w-]*@sha256:[0-9a-f]{64}$/m.exec(dockerfile);
    expect(image, 'ARG PYTHON_IMAGE=python:<minor>-slim...@sha256:<digest>').not.toBeNull();
    expect(lock.info.python.startsWith(`${image?.[1]}.`)).toBe(true);
    expect(dockerfile.match(/^FROM /gm)?.length).toBe(2);
    expect(dockerfile).not.toMatch(/^FROM (?!\$\{PYTHON_IMAGE\})/m);
  });

  it('installs only hash-checked wheels and runs as the non-root user the Deployment expects', () => {
    expect(dockerfile).toContain('--require-hashes');
    expect(dockerfile).toContain('--only-binary=:all:');
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8000$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health/m);
    expect(dockerfile).toMatch(/^CMD \["python", "\/opt\/berth\/runner\/entrypoint\.py"\]$/m);
  });

  it('copies every module the runner imports at start-up, the audit hook among them', () => {
    const copied = /^COPY (.+) \/opt\/berth\/runner\/$/m.exec(dockerfile)?.[1]?.split(' ') ?? [];
    expect(copied.sort()).toEqual(['egress.py', 'entrypoint.py', 'guard.py', 'validation.py']);
  });

  it('has what FastAPI apps expect: Form and File uploads, EmailStr, websockets, and no uvloop', () => {
    const wanted = readFileSync(join(ROOT, 'runner', 'requirements.in'), 'utf8');
    for (const name of ['fastapi', 'python-multipart', 'email-validator', 'websockets', 'jinja2']) expect(wanted).toMatch(new RegExp(`^${name}==`, 'm'));
    expect(wanted).not.toMatch(/^uvloop|uvicorn\[standard\]/m);
  });

  it('pins every requirement exactly', () => {
    const lines = readFileSync(join(ROOT, 'runner', 'requirements.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line).toMatch(/^[a-z0-9-]+==\d[\w.]*( \\)?$/);
  });
});
