import { describe, expect, it } from 'vitest';
import { canApprove, canReadApp, canWriteApp, hasRole, requireAppAccess, requireApprover, requireRole } from '../../src/auth/authorize.js';
import type { Principal } from '../../src/auth/principal.js';
import { ForbiddenError } from '../../src/errors.js';
import type { Role } from '../../src/store/types.js';

const as = (username: string, ...roles: Role[]): Principal => ({
  userId: `id-${username}`,
  username,
  tenant: username,
  roles: ['editor', ...roles],
  source: 'local',
});
const alice = as('alice');
const rita = as('rita', 'reviewer');
const otto = as('otto', 'operator');
const ada = as('ada', 'admin');

describe('authorization', () => {
  it('admin implies reviewer and operator; nothing else implies anything', () => {
    expect(['editor', 'reviewer', 'operator', 'admin'].map((role) => hasRole(ada, role as Role))).toEqual([true, true, true, true]);
    expect(hasRole(rita, 'operator')).toBe(false);
    expect(hasRole(otto, 'reviewer')).toBe(false);
    expect(hasRole(alice, 'reviewer')).toBe(false);
    expect(() => requireRole(alice, 'operator')).toThrow(ForbiddenError);
    expect(() => requireRole(ada, 'operator')).not.toThrow();
  });

  it("the tenant matrix: who may read and write alice's apps", () => {
    const matrix = [alice, as('bob'), rita, otto, ada].map((p) => [p.username, canReadApp(p, 'alice'), canWriteApp(p, 'alice')]);
    expect(matrix).toEqual([
      ['alice', true, true],
      ['bob', false, false],
      ['rita', true, false],
      ['otto', true, false],
      ['ada', true, true],
    ]);
    expect(() => requireAppAccess(as('bob'), 'alice', 'read')).toThrow(ForbiddenError);
    expect(() => requireAppAccess(rita, 'alice', 'write')).toThrow(/may not write apps of tenant alice/);
    expect(() => requireAppAccess(alice, 'alice', 'write')).not.toThrow();
  });

  it('four eyes: a reviewer approves changes of others, never their own', () => {
    expect(canApprove(rita, 'id-alice')).toBe(true);
    expect(canApprove(rita, 'id-rita')).toBe(false);
    expect(canApprove(alice, 'id-bob')).toBe(false);
    expect(canApprove(ada, 'id-alice')).toBe(true);
    expect(canApprove(ada, 'id-ada')).toBe(false);
    expect(() => requireApprover(rita, 'id-rita')).toThrow(/someone other than its author/);
    expect(() => requireApprover(alice, 'id-bob')).toThrow(/reviewer/);
  });
});
