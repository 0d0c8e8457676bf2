import { describe, expect, it } from 'vitest';
import { assertName, isValidName, MAX_NAME_LENGTH, nameProblem } from '../../src/domain/names.js';

describe('tenant and app names', () => {
  it('refuses a digit first, saying it must be a DNS-1035 label (an app name is its Service name)', () => {
    for (const name of ['9lives', '0', '1-app']) {
      expect(isValidName(name)).toBe(false);
      expect(nameProblem(name)).toMatch(/start with a letter.*Service name.*DNS-1035/);
    }
    expect(() => assertName('app', '9lives')).toThrow(/app name "9lives" must start with a letter/);
    expect(() => assertName('tenant', '7eleven')).toThrow(/tenant name "7eleven" must start with a letter/);
  });

  it('accepts letters first with digits and single hyphens after, up to the limit', () => {
    for (const name of ['a', 'lives9', 'todo-2', 'a'.repeat(MAX_NAME_LENGTH)]) expect(nameProblem(name)).toBeUndefined();
    for (const name of ['', 'A', 'a--b', 'a-', '-a', 'a_b', 'a.b', 'a'.repeat(MAX_NAME_LENGTH + 1)]) expect(isValidName(name)).toBe(false);
  });
});
