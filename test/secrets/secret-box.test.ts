import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { SealedValueError, SecretKeyError } from '../../src/secrets/sealed-value-error.js';
import { createSecretBox, loadOrCreateKey, parseSecretBoxKey } from '../../src/secrets/secret-box.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-box-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VALUES = ['', 'hunter2', 'line\nbreak "quotes" ---', 'ünïcødé 🚀 密码', 'x'.repeat(4096)];

describe('createSecretBox', () => {
  const box = createSecretBox(randomBytes(32));

  it('opens what it sealed, and never shows the plaintext', () => {
    for (const value of VALUES) {
      const sealed = box.seal(value);
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/);
      if (value) expect(sealed).not.toContain(value);
      expect(box.open(sealed)).toBe(value);
    }
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('detects any tampering with a typed error', () => {
    const sealed = box.seal('pay 100 to alice');
    const parts = sealed.split('.');
    const flip = (text: string) => `${text.slice(0, -2)}${text.at(-2) === 'A' ? 'B' : 'A'}${text.at(-1)}`;
    const tampered = [
      parts.map((part, i) => (i === 3 ? flip(part) : part)).join('.'),
      parts.map((part, i) => (i === 2 ? flip(part) : part)).join('.'),
      parts.map((part, i) => (i === 4 ? flip(part) : part)).join('.'),
      parts.slice(0, 4).join('.'),
      `v2.${parts.slice(1).join('.')}`,
      'not sealed at all',
      sealed.slice(0, -3),
    ];
    for (const bad of tampered) {
      expect(() => box.open(bad), bad).toThrow(SealedValueError);
    }
  });

  it('binds a value to its context, so it cannot be moved to another variable', () => {
    const sealed = box.seal('s3cret', 'acme/shop/API_TOKEN');
    expect(box.open(sealed, 'acme/shop/API_TOKEN')).toBe('s3cret');
    expect(() => box.open(sealed, 'evil/shop/API_TOKEN')).toThrow(SealedValueError);
    expect(() => box.open(sealed)).toThrow(SealedValueError);
  });

  it('fails under the wrong key, saying so', () => {
    const sealed = box.seal('s3cret');
    const other = createSecretBox(randomBytes(32));
    expect(() => other.open(sealed)).toThrow(/another key/);
    // Same key id forged onto another key's output still fails authentication.
    const forged = [sealed.split('.')[0], other.keyId, ...sealed.split('.').slice(2)].join('.');
    expect(() => other.open(forged)).toThrow(SealedValueError);
  });

  it('refuses keys of the wrong size', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(SecretKeyError);
    expect(() => parseSecretBoxKey(randomBytes(31).toString('base64'))).toThrow(SecretKeyError);
    const key = randomBytes(32);
    expect(parseSecretBoxKey(key.toString('base64url')).equals(key)).toBe(true);
  });
});

describe('loadOrCreateKey', () => {
  it('creates a 0600 key file on first start and reads the same key afterwards', async () => {
    const path = join(dir, 'nested', 'keys', 'secret-box.key');
    const first = await loadOrCreateKey(path);
    expect(first).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateKey(path)).equals(first)).toBe(true);
    const box = createSecretBox(first);
    const sealed = box.seal('survives a restart');
    expect(createSecretBox(await loadOrCreateKey(path)).open(sealed)).toBe('survives a restart');
    expect(readdirSync(join(dir, 'nested', 'keys'))).toEqual(['secret-box.key']);
  });

  it('gives every concurrent starter the same key', async () => {
    const path = join(dir, 'race.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKey(path)));
    for (const key of keys) expect(key.equals(keys[0] ?? Buffer.alloc(0))).toBe(true);
    expect(readdirSync(dir).filter((name) => name.startsWith('race.key'))).toEqual(['race.key']);
  });

  it('refuses a key file others can read, or one of the wrong size', async () => {
    const open = join(dir, 'open.key');
    writeFileSync(open, `${randomBytes(32).toString('base64')}\n`, { mode: 0o644 });
    chmodSync(open, 0o644);
    await expect(loadOrCreateKey(open)).rejects.toThrow(SecretKeyError);
    const short = join(dir, 'short.key');
    writeFileSync(short, `${randomBytes(8).toString('base64')}\n`, { mode: 0o600 });
    await expect(loadOrCreateKey(short)).rejects.toThrow(SecretKeyError);
    expect(readFileSync(short, 'utf8')).toMatch(/^[A-Za-z0-9+/=]+\n$/);
  });
});
