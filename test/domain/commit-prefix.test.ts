import { describe, expect, it } from 'vitest';
import { ambiguousPrefixMessage, matchCommitPrefix } from '../../src/domain/commit-prefix.js';

const a = 'abcdef1234567890abcdef1234567890abcdef12';
const b = 'abcdef1999999990abcdef1234567890abcdef12';
const c = '0123456789012345678901234567890123456789';

describe('a commit named by a prefix among the releases', () => {
  it('finds the full id from 7, 12 or 40 characters, in any case', () => {
    expect(matchCommitPrefix([a, c], '0123456')).toEqual({ kind: 'found', commit: c });
    expect(matchCommitPrefix([a, c], c.slice(0, 12).toUpperCase())).toEqual({ kind: 'found', commit: c });
    expect(matchCommitPrefix([a, c], a)).toEqual({ kind: 'found', commit: a });
  });

  it('is ambiguous when two releases share the prefix, and unique once it is longer', () => {
    expect(matchCommitPrefix([a, b, c], 'abcdef1')).toEqual({ kind: 'ambiguous', matches: [a, b] });
    expect(matchCommitPrefix([a, b, c], 'abcdef12')).toEqual({ kind: 'found', commit: a });
    expect(ambiguousPrefixMessage('abcdef1', [a, b], 'carol/greeter')).toBe(
      'commit prefix abcdef1 matches 2 releases of carol/greeter (abcdef123456, abcdef199999): give more characters',
    );
  });

  it('finds nothing for a short prefix, an unknown one, or an empty history; the same commit twice is one', () => {
    expect(matchCommitPrefix([a], 'abcdef')).toEqual({ kind: 'none' });
    expect(matchCommitPrefix([a], '9999999')).toEqual({ kind: 'none' });
    expect(matchCommitPrefix([], 'abcdef1')).toEqual({ kind: 'none' });
    expect(matchCommitPrefix([a, a], 'abcdef1')).toEqual({ kind: 'found', commit: a });
  });
});
