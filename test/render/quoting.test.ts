import { parse, parseAllDocuments, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { formatYamlBool, formatYamlInt, quoteYamlString } from '../../src/render/index.js';

/** Reads `key: <scalar>` back under YAML 1.2 and 1.1 (Kubernetes' decoder is 1.1). */
function readBack(scalar: string): unknown[] {
  return (['1.2', '1.1'] as const).map((version) => {
    const docs = parseAllDocuments(`key: ${scalar}\n`, { version });
    if (!Array.isArray(docs) || docs.length !== 1 || !docs[0]) throw new Error(`not one document: ${scalar}`);
    const [doc] = docs;
    expect([...doc.errors, ...doc.warnings].map((e) => e.message)).toEqual([]);
    return (doc.toJS() as { key: unknown }).key;
  });
}

describe('quoteYamlString', () => {
  it('round-trips every BMP code point but surrogates, alone and in context', () => {
    // 1,024 code points per document keeps the sweep under a second.
    for (let start = 0; start <= 0xffff; start += 1024) {
      const values: string[] = [];
      for (let code = start; code < start + 1024; code++) {
        if (code >= 0xd800 && code <= 0xdfff) continue;
        const char = String.fromCharCode(code);
        values.push(char, `a${char}b`);
      }
      const text = values.map((value, i) => `k${i}: ${quoteYamlString(value)}\n`).join('');
      for (const version of ['1.2', '1.1'] as const) {
        const doc = parseDocument(text, { version });
        expect([...doc.errors, ...doc.warnings]).toEqual([]);
        const back = doc.toJS() as Record<string, string>;
        values.forEach((value, i) => {
          if (back[`k${i}`] !== value) throw new Error(`${JSON.stringify(value)} changed (YAML ${version})`);
        });
      }
    }
  });

  it('emits one line whatever the value holds, with line breaks and invisible characters escaped', () => {
    const value = 'a\nb\rc\td\u0000e\u007ff\u0085g\u2028h\u2029i\ufeffj\ufffek\uffffl';
    const quoted = quoteYamlString(value);
    expect(quoted).toBe('"a\\x0Ab\\x0Dc\\x09d\\x00e\\x7Ff\\x85g\\u2028h\\u2029i\\uFEFFj\\uFFFEk\\uFFFFl"');
    expect(quoted).toMatch(/^"[\x20-\x7e]*"$/);
  });

  it('escapes backslashes and quotes and nothing YAML-significant slips through', () => {
    expect(quoteYamlString('\\"')).toBe('"\\\\\\""');
    for (const value of [
      '---',
      '...',
      '# x',
      'a: b',
      '*ref',
      '&anchor x',
      '!!python/object:os.system',
      '{a: 1}',
      '[1]',
      '|',
      '>',
      '%YAML 1.1',
      '@x',
      '`x`',
      "'",
      'null',
      '~',
      'yes',
      '0o17',
      '1e3',
      '.inf',
    ]) {
      expect(readBack(quoteYamlString(value))).toEqual([value, value]);
    }
  });

  it('keeps surrogate pairs raw (Go refuses escaped ones) and escapes lone surrogates', () => {
    expect(quoteYamlString('😀')).toBe('"😀"');
    expect(readBack(quoteYamlString('x😀y'))).toEqual(['x😀y', 'x😀y']);
    expect(quoteYamlString('\ud800x')).toBe('"\\uD800x"');
    expect(quoteYamlString('x\udc00')).toBe('"x\\uDC00"');
    expect(quoteYamlString('\udc00\ud800')).toBe('"\\uDC00\\uD800"');
  });

  it('refuses what is not a string: a template fed the wrong field is a bug', () => {
    expect(() => quoteYamlString(undefined as unknown as string)).toThrow(ManifestError);
    expect(() => quoteYamlString(1 as unknown as string)).toThrow(ManifestError);
  });
});

describe('formatYamlInt and formatYamlBool', () => {
  it('emit plain scalars of the right type', () => {
    expect(parse(`v: ${formatYamlInt(8000)}`)).toEqual({ v: 8000 });
    expect(parse(`v: ${formatYamlBool(false)}`)).toEqual({ v: false });
  });

  it('refuse anything else', () => {
    for (const bad of [1.5, Number.NaN, Infinity, '1', undefined]) expect(() => formatYamlInt(bad as unknown as number)).toThrow(ManifestError);
    for (const bad of ['true', 1, undefined]) expect(() => formatYamlBool(bad as unknown as boolean)).toThrow(ManifestError);
  });
});
