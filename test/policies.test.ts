import { describe, expect, it } from 'vitest';
import { errorCode } from '../src/adapters/fs/errno.js';
import { branchRef } from '../src/adapters/git/paths.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { branchNameProblem } from '../src/domain/branch-names.js';
import { InvalidNameError, UnauthorizedError } from '../src/errors.js';
import { actorOf } from '../src/services/actor.js';

/* The small policies that used to be written several times, now once each. */
describe('one branch-name rule for config and the Git adapter', () => {
  it.each(['main', 'release/2026-12', 'team/a.b_c', 'v1'])('accepts %s everywhere', (name) => {
    expect(branchNameProblem(name)).toBeUndefined();
    expect(loadConfig({ GIT_BRANCH: name }).branch).toBe(name);
    expect(branchRef(name)).toBe(`refs/heads/${name}`);
  });

  it.each(['bad branch', 'a..b', 'x.lock', '/lead', 'trail/', '.hidden', 'a@{b', 'x~1', ''])('refuses %j everywhere', (name) => {
    expect(branchNameProblem(name)).toBeDefined();
    expect(() => branchRef(name)).toThrow(InvalidNameError);
    if (name !== '') expect(() => loadConfig({ GIT_BRANCH: name })).toThrow(ConfigError);
  });
});

describe('errorCode', () => {
  it("reads a system call's code and nothing else", () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errorCode({ code: 'EEXIST' })).toBe('EEXIST');
    expect(errorCode(new Error('plain'))).toBeUndefined();
    expect(errorCode({ code: 42 })).toBeUndefined();
    expect(errorCode(null)).toBeUndefined();
  });
});

describe('actorOf', () => {
  const principal = { userId: 'u1', username: 'alice', tenant: 'alice', roles: [] } as unknown as Parameters<typeof actorOf>[1];
  it('is the stored user behind the token, and 401 once the account is gone', async () => {
    const users = { byId: async (id: string) => (id === 'u1' ? ({ id: 'u1', username: 'alice', email: 'alice@example.com' } as never) : undefined) };
    expect(await actorOf(users, principal)).toEqual({ id: 'u1', username: 'alice', email: 'alice@example.com' });
    await expect(actorOf({ byId: async () => undefined }, principal)).rejects.toThrow(UnauthorizedError);
  });
});
