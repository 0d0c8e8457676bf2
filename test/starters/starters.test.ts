import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { codePathProblem } from '../../src/domain/code-paths.js';
import { findStarter, loadStarters, type Starter } from '../../src/starters/index.js';
import { toolOrSkip } from '../support/tools.js';

const PYTHON = '/usr/bin/python3';
const VALIDATION = join(process.cwd(), 'runner', 'validation.py');
const starters = loadStarters();
const MINIMAL_MANIFEST = 'name: X\ndescription: Y\nteaches: how to break a starter\ntags: [test]\nentrypoint: main.py\n';
const scratch = mkdtempSync(join(tmpdir(), 'berth-starters-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a Python snippet on JSON from stdin and parses the JSON it prints. */
function python(script: string, input: unknown): unknown {
  const out = execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out);
}

describe('loadStarters', () => {
  it('offers at least ten starters, hello first, each with its entrypoint among valid paths', () => {
    expect(starters.map((starter) => starter.id)).toEqual([
      'hello',
      'json-api',
      'jinja-site',
      'upload-form',
      'ws-chat',
      'env-settings',
      'webhook-hmac',
      'dashboard-chart',
      'multi-file',
      'guestbook-mongo',
      'todo-mongo',
      'fasthtml-page',
    ]);
    for (const starter of starters) {
      expect(starter.name.length).toBeGreaterThan(0);
      expect(starter.description).not.toMatch(/\n/);
      expect(starter.teaches.length).toBeGreaterThan(20);
      expect(starter.tags.length).toBeGreaterThan(0);
      expect(Object.keys(starter.files)).toContain(starter.entrypoint);
      for (const path of Object.keys(starter.files)) expect(codePathProblem(path), path).toBeUndefined();
      expect(Object.keys(starter.files)).not.toContain('starter.yaml');
    }
  });

  it('says which starters need a database or secrets, and which settings they read', () => {
    const needing = (test: (starter: Starter) => boolean) => starters.filter(test).map((starter) => starter.id);
    expect(needing((s) => s.needs.database)).toEqual(['guestbook-mongo', 'todo-mongo']);
    expect(Object.fromEntries(starters.filter((s) => s.needs.secrets.length > 0).map((s) => [s.id, s.needs.secrets.map((v) => v.name)]))).toEqual({
      'env-settings': ['API_TOKEN'],
      'webhook-hmac': ['WEBHOOK_SECRET'],
    });
    expect(findStarter(starters, 'env-settings').needs.settings.map((v) => v.name)).toEqual(['APP_TITLE', 'MAX_ITEMS']);
    expect(findStarter(starters, 'hello').needs).toEqual({ database: false, secrets: [], settings: [] });
  });

  it('reads every variable a starter declares with starlette.config.Config, and none it does not declare', () => {
    for (const starter of starters) {
      const code = Object.entries(starter.files)
        .filter(([path]) => path.endsWith('.py'))
        .map(([, text]) => text)
        .join('\n');
      const read = [...code.matchAll(/config\("([A-Z0-9_]+)"/g)].map((match) => match[1]).sort();
      const declared = [...starter.needs.secrets, ...starter.needs.settings].map((v) => v.name);
      if (starter.needs.database) declared.push('MONGODB_URI');
      expect(read, starter.id).toEqual(declared.sort());
    }
  });

  it('keeps pages free of inline scripts and CDNs (a strict CSP and an offline laptop both work)', () => {
    for (const starter of starters) {
      for (const [path, text] of Object.entries(starter.files)) {
        if (!path.endsWith('.html')) continue;
        expect(text, `${starter.id}/${path}`).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
        expect(text, `${starter.id}/${path}`).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
      }
    }
  });

  it('keeps nested files of the multi-file starter at their paths', () => {
    const files = Object.keys(findStarter(starters, 'multi-file').files);
    expect(files).toEqual(expect.arrayContaining(['main.py', 'api/routes.py', 'api/models.py', 'static/style.css']));
  });

  it('reads the folder once and answers later calls from memory', () => {
    expect(loadStarters()).toBe(starters);
    expect(Object.isFrozen(starters[0]?.files)).toBe(true);
  });

  it('fails on an unknown template id with not_found', () => {
    expect(() => findStarter(starters, 'nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('refuses a broken starter folder, naming it', () => {
    const cases: Array<[string, (dir: string) => void, RegExp]> = [
      ['bad-path', (dir) => writeFileSync(join(dir, 'Main.PY'), 'x = 1\n'), /bad-path.*Main\.PY/],
      ['no-entry', (dir) => writeFileSync(join(dir, 'other.py'), 'x = 1\n'), /entrypoint main\.py/],
      ['hidden', (dir) => writeFileSync(join(dir, '.env.py'), 'x = 1\n'), /hidden/],
      ['linked', (dir) => symlinkSync('/etc/hostname', join(dir, 'host.txt')), /symbolic link/],
    ];
    for (const [id, breakIt, message] of cases) {
      const root = join(scratch, `broken-${id}`);
      mkdirSync(join(root, id), { recursive: true });
      writeFileSync(join(root, id, 'starter.yaml'), MINIMAL_MANIFEST);
      if (id !== 'no-entry') writeFileSync(join(root, id, 'main.py'), 'app = None\n');
      breakIt(join(root, id));
      expect(() => loadStarters(root), id).toThrow(message);
    }
    const extraKey = join(scratch, 'extra-key', 'x');
    mkdirSync(extraKey, { recursive: true });
    writeFileSync(join(extraKey, 'starter.yaml'), `${MINIMAL_MANIFEST}run: rm -rf /\n`);
    writeFileSync(join(extraKey, 'main.py'), 'app = None\n');
    expect(() => loadStarters(join(scratch, 'extra-key'))).toThrow(/starter\.yaml/);
  });

  it('refuses metadata the gallery could not show or act on, naming the field', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['two-lines', 'name: X\ndescription: "one\\ntwo"\nteaches: t\ntags: [a]\nentrypoint: main.py\n', /description: must be one line/],
      ['no-teaches', 'name: X\ndescription: Y\ntags: [a]\nentrypoint: main.py\n', /teaches/],
      ['bad-tag', 'name: X\ndescription: Y\nteaches: t\ntags: [Big Tag]\nentrypoint: main.py\n', /tags\.0/],
      ['bad-secret', `${MINIMAL_MANIFEST}needs:\n  secrets:\n    - {name: api-token, description: d}\n`, /needs\.secrets\.0\.name/],
      ['mongo-secret', `${MINIMAL_MANIFEST}needs:\n  secrets:\n    - {name: MONGODB_URI, description: d}\n`, /database: true/],
      [
        'both',
        `${MINIMAL_MANIFEST}needs:\n  secrets:\n    - {name: A, description: d}\n  settings:\n    - {name: A, description: d}\n`,
        /both a secret and a setting/,
      ],
      ['unknown-need', `${MINIMAL_MANIFEST}needs:\n  gpu: true\n`, /needs/],
    ];
    for (const [id, manifest, message] of cases) {
      const root = join(scratch, `meta-${id}`);
      mkdirSync(join(root, id), { recursive: true });
      writeFileSync(join(root, id, 'starter.yaml'), manifest);
      writeFileSync(join(root, id, 'main.py'), 'app = None\n');
      expect(() => loadStarters(root), id).toThrow(message);
    }
  });
});

describe.skipIf(!toolOrSkip(PYTHON))('starter Python under CPython', () => {
  it('parses every .py file with ast.parse', () => {
    const sources = starters.flatMap((starter) =>
      Object.entries(starter.files)
        .filter(([path]) => path.endsWith('.py'))
        .map(([path, text]) => ({ name: `${starter.id}/${path}`, text })),
    );
    const script = [
      'import ast, json, sys',
      'errors = {}',
      'for f in json.load(sys.stdin):',
      '    try: ast.parse(f["text"], filename=f["name"])',
      '    except SyntaxError as e: errors[f["name"]] = "%s:%s %s" % (e.lineno, e.offset, e.msg)',
      'print(json.dumps(errors))',
    ].join('\n');
    expect(python(script, sources)).toEqual({});
    expect(sources.length).toBeGreaterThanOrEqual(6);
  });

  it.skipIf(!existsSync(VALIDATION))('passes the validation the API and the runner share', () => {
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(join(process.cwd(), 'runner'))})`,
      'import validation',
      'out = {s["id"]: validation.validate(s["files"], s["entrypoint"]) for s in json.load(sys.stdin)}',
      'print(json.dumps(out))',
    ].join('\n');
    const verdicts = z.record(z.string(), z.array(z.unknown())).parse(python(script, starters));
    expect(verdicts).toEqual(Object.fromEntries(starters.map((starter) => [starter.id, []])));
  });
});
