import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from '../../src/auth/passwords.js';

describe('password hashes', () => {
  it('verify the right password and refuse a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('use a fresh salt per hash (no static salt, weak point S5)', async () => {
    const [a, b] = await Promise.all([hashPassword('same password!'), hashPassword('same password!')]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
  });

  it('treat the same password in two Unicode forms as equal', async () => {
    const hash = await hashPassword('caf\u00e9 au lait!');
    expect(await verifyPassword('cafe\u0301 au lait!', hash)).toBe(true);
  });

  it('read parameters from the hash, and reject malformed or tampered hashes as a plain false', async () => {
    const weak = await hashPassword('a weaker one!', { N: 1024, r: 8, p: 1 });
    expect(await verifyPassword('a weaker one!', weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword('a strong one!'))).toBe(false);
    const parts = weak.split('$');
    const tamperedKey = [...parts.slice(0, 5), Buffer.alloc(32, 1).toString('base64url')].join('$');
    for (const bad of [
      '',
      'plaintext',
      'scrypt$1$1$1$x$y',
      'scrypt$1048577$8$1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43),
      'scrypt$3$8$1$' + parts.slice(4).join('$'),
      tamperedKey,
      weak.replace('scrypt', 'bcrypt'),
    ]) {
      expect(await verifyPassword('a weaker one!', bad)).toBe(false);
    }
  });

  it('policy: 10 to 256 characters, not trivially repetitive, not common, not the username', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('x'.repeat(257))).toMatch(/at most 256/);
    expect(passwordProblem('aaaaaaaaaaaaaa')).toMatch(/different characters/);
    expect(passwordProblem('Password123')).toMatch(/common/);
    expect(passwordProblem('alice-is-great', { username: 'alice' })).toMatch(/username/);
    expect(passwordProblem('a sound passphrase')).toBeUndefined();
    // Ten emoji are ten characters, not twenty UTF-16 units.
    expect(passwordProblem('🐳🐙🦀🐍🦊🐳🐙🦀🐍🦊')).toBeUndefined();
    expect(passwordProblem('🐳🐙🦀🐍🐳')).toMatch(/at least 10/);
  });

  it('measure: hashPassword and verifyPassword time (prints them)', async () => {
    await hashPassword('warm up the pool');
    const runs = 5;
    const started = performance.now();
    for (let i = 0; i < runs; i += 1) await hashPassword(`measure password ${i}`);
    const hashMs = (performance.now() - started) / runs;
    const hash = await hashPassword('measure verify!');
    const verifyStarted = performance.now();
    for (let i = 0; i < runs; i += 1) await verifyPassword('measure verify!', hash);
    const verifyMs = (performance.now() - verifyStarted) / runs;
    console.log(`[measure] hashPassword (scrypt N=2^15 r=8 p=1): ${hashMs.toFixed(1)} ms; verifyPassword: ${verifyMs.toFixed(1)} ms`);
    expect(hashMs).toBeGreaterThan(5);
    expect(hashMs).toBeLessThan(2000);
  });
});
