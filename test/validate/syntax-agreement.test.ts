import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonValidator, type PythonValidator } from '../../src/adapters/pyodide/python-validator.js';
import { toolOrSkip } from '../support/tools.js';
import { cpythonJson, PYTHON } from './support.js';

const STDLIB = '/usr/lib/python3.11';
const MAX_BYTES = 40_000;
const BASE_FILES = 120;

/** A small seeded PRNG (mulberry32): the same mutations on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (source: string, next: () => number) => string;

const MUTATIONS: Record<string, Mutation> = {
  'delete a character': (s, next) => {
    const at = Math.floor(next() * s.length);
    return s.slice(0, at) + s.slice(at + 1);
  },
  'add an unbalanced paren': (s, next) => {
    const lines = s.split('\n');
    const at = Math.floor(next() * lines.length);
    lines[at] = `${lines[at] ?? ''} (`;
    return lines.join('\n');
  },
  'drop the colon of a block': (s, next) => {
    const heads = [...s.matchAll(/^\s*(def|class|if|for|while|with|try)\b[^\n]*:\s*$/gm)];
    const head = heads[Math.floor(next() * heads.length)];
    if (!head || head.index === undefined) return `${s}\n)`;
    const line = head[0].replace(/:\s*$/, '');
    return s.slice(0, head.index) + line + s.slice(head.index + head[0].length);
  },
  'indent a line': (s, next) => {
    const lines = s.split('\n');
    const at = Math.floor(next() * lines.length);
    lines[at] = `  ${lines[at] ?? ''}`;
    return lines.join('\n');
  },
};

interface Sample {
  readonly path: string;
  readonly source: string;
}
interface Verdict {
  readonly ok: boolean;
  readonly line: number | null;
  readonly message: string;
}

function samples(): Sample[] {
  const names = readdirSync(STDLIB)
    .filter((n) => n.endsWith('.py') && statSync(join(STDLIB, n)).size <= MAX_BYTES)
    .sort()
    .slice(0, BASE_FILES);
  const next = random(20_240_611);
  const out: Sample[] = [];
  for (const name of names) {
    const source = readFileSync(join(STDLIB, name), 'utf8');
    out.push({ path: name, source });
    const mutationNames = Object.keys(MUTATIONS);
    for (const pick of [0, 1].map(() => mutationNames[Math.floor(next() * mutationNames.length)] ?? '')) {
      out.push({ path: `${name} (${pick})`, source: MUTATIONS[pick]?.(source, next) ?? source });
    }
  }
  return out;
}

// CPython's own front end, independent of validation.py: parse, then compile
// (the runner imports the code, so errors the compiler finds count too).
const CPYTHON_VERDICTS = `
import ast, json, sys, warnings
warnings.simplefilter("ignore")
out = []
for sample in json.load(sys.stdin):
    try:
        compile(ast.parse(sample["source"], sample["path"]), sample["path"], "exec", dont_inherit=True)
        out.append({"ok": True, "line": None, "message": ""})
    except SyntaxError as e:
        out.append({"ok": False, "line": e.lineno, "message": e.msg})
    except (ValueError, RecursionError, MemoryError) as e:
        out.append({"ok": False, "line": 1, "message": str(e)})
print(json.dumps(out))
`;

/**
 * Python 3.12 rewrote f-string parsing (PEP 701): a mutation inside an
 * f-string can be an error in 3.11 and fine in 3.13, or be reported on
 * another line. Those are grammar differences, not validator bugs.
 */
function explainedByFStrings(sample: Sample, lines: (number | null)[]): boolean {
  const text = sample.source.split('\n');
  return lines.some((line) => line !== null && /\bf(['"])|\brf['"]|\bfr['"]/i.test(text[line - 1] ?? ''));
}

describe.skipIf(!toolOrSkip(PYTHON))('syntax verdicts agree with the system CPython', () => {
  let validator: PythonValidator;
  beforeAll(async () => {
    validator = createPythonValidator({ timeoutMs: 20_000 });
    await validator.ready;
  });
  afterAll(() => validator.close());

  it('on standard-library files and mutated copies of them', async () => {
    const all = samples();
    const native = cpythonJson(CPYTHON_VERDICTS, all) as Verdict[];
    let agreedOk = 0;
    let agreedError = 0;
    const explained: string[] = [];
    const unexplained: string[] = [];
    for (const [i, sample] of all.entries()) {
      const mine = await validator.checkSyntax(sample.path, sample.source);
      const theirs = native[i];
      if (!theirs) throw new Error(`no CPython verdict for ${sample.path}`);
      const same = mine === null ? theirs.ok : !theirs.ok && mine.line === theirs.line;
      if (same) {
        if (mine === null) agreedOk += 1;
        else agreedError += 1;
        continue;
      }
      const note = `${sample.path}: Pyodide ${mine ? `line ${mine.line} ${mine.message}` : 'ok'} / CPython 3.11 ${theirs.ok ? 'ok' : `line ${theirs.line} ${theirs.message}`}`;
      (explainedByFStrings(sample, [mine?.line ?? null, theirs.line]) ? explained : unexplained).push(note);
    }
    console.log(
      `syntax agreement over ${all.length} files: ${agreedOk} ok and ${agreedError} errors agree; ` +
        `${explained.length} differ where 3.12's f-string grammar changed${explained.length ? `:\n  ${explained.join('\n  ')}` : ''}`,
    );
    expect(all.length).toBeGreaterThanOrEqual(300);
    expect(agreedError).toBeGreaterThan(100);
    expect(unexplained, unexplained.join('\n')).toEqual([]);
  });
});
