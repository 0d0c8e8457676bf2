import { ManifestError } from '../errors.js';

/*
 * The only ways a value reaches a rendered file (see template-guard.ts). Each
 * emits one self-delimiting YAML scalar, so no value can end a line, open a
 * document, add a key, or become an alias, tag or comment.
 */

const HEX = '0123456789ABCDEF';

function hex(code: number, digits: number): string {
  let out = '';
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += HEX[(code >> shift) & 0xf];
  return out;
}

/** Code units that must not appear raw inside a double-quoted scalar. */
function needsEscape(code: number): boolean {
  return (
    code < 0x20 || // C0 controls, including tab, CR and LF (line folding would change them)
    (code >= 0x7f && code <= 0x9f) || // DEL and C1 controls (NEL is a YAML 1.1 line break)
    code === 0x2028 || // line and paragraph separators: line breaks to some readers
    code === 0x2029 ||
    code === 0xfeff || // byte order mark: not printable to Go's YAML
    code === 0xfffe || // non-characters YAML excludes from its character set
    code === 0xffff
  );
}

/**
 * `value` as a YAML double-quoted scalar (YAML 1.1 and 1.2 alike): `\` and `"`
 * are escaped, so are control characters (`\xXX`), U+2028/2029, U+FEFF,
 * U+FFFE/FFFF and lone surrogates (`\uXXXX`). Everything else, including
 * astral characters as surrogate pairs, is written as it is, because Go's
 * YAML reader (kustomize) rejects escaped surrogate pairs.
 */
export function quoteYamlString(value: string): string {
  if (typeof value !== 'string') throw new ManifestError(`template value ${String(value)} is not a string`);
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x5c) out += '\\\\';
    else if (code === 0x22) out += '\\"';
    else if (code <= 0xff && needsEscape(code)) out += `\\x${hex(code, 2)}`;
    else if (needsEscape(code)) out += `\\u${hex(code, 4)}`;
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value[i] + value.charAt(i + 1);
        i++;
      } else out += `\\u${hex(code, 4)}`;
    } else if (code >= 0xdc00 && code <= 0xdfff) out += `\\u${hex(code, 4)}`;
    else out += value[i];
  }
  return `${out}"`;
}

/** A safe integer as a plain YAML integer; anything else is a renderer bug. */
export function formatYamlInt(value: number): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ManifestError(`template value ${String(value)} is not an integer`);
  }
  return String(value);
}

/** A boolean as a plain YAML boolean; anything else is a renderer bug. */
export function formatYamlBool(value: boolean): string {
  if (typeof value !== 'boolean') throw new ManifestError(`template value ${String(value)} is not a boolean`);
  return value ? 'true' : 'false';
}
