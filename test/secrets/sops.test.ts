import { readFileSync } from 'node:fs';

import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { decryptSops } from 'sops-age';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

import { DEFAULT_RENDER_SETTINGS } from '../../src/render/index.js';
import { encryptAppSecret, encryptSecretManifest } from '../../src/secrets/sops.js';
import { verifySops } from './sops-verify.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const HOSTILE: Record<string, string> = {
  NEWLINES: 'line one\nline two\r\nline three\n',
  QUOTES: `"double" 'single' \`back\` \\ backslash`,
  YAML_BREAKER: '---\nkind: Secret\n...\n# comment\n: colon\n- dash\n{ flow: [x] }',
  UNICODE: 'päss wörd ✓ 密码 🚀 \u0000 \u2028',
  ENC_LOOKALIKE: 'ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]',
  NUMBERISH: '0x10',
  BOOLISH: 'yes',
  EMPTY: '',
  LONG: 'x'.repeat(4096),
};

async function identityPair(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

const sopsDocument = z
  .object({
    apiVersion: z.literal('v1'),
    kind: z.literal('Secret'),
    metadata: z.object({ name: z.string(), namespace: z.string() }).strict(),
    type: z.literal('Opaque'),
    stringData: z.record(z.string(), z.string()),
    sops: z
      .object({
        age: z.array(z.object({ recipient: z.string(), enc: z.string() }).strict()),
        lastmodified: z.string(),
        mac: z.string(),
        encrypted_regex: z.literal('^(data|stringData)$'),
        version: z.string(),
      })
      .strict(),
  })
  .strict();

describe('the MAC verifier used below', () => {
  it('accepts a file written by the real sops CLI and rejects a tampered copy', async () => {
    const identity = fixture('sops-age-test-key.txt')
      .split('\n')
      .find((line) => line.startsWith('AGE-SECRET-KEY-'));
    const original = fixture('sops-age-3.8.1.enc.yaml');
    const verified = await verifySops(original, identity ?? '');
    expect(verified.computedMac).toBe(verified.storedMac);
    expect(verified.values.get('complex:array')).toHaveLength(3);
    // Swapping two list items keeps every value authentic but changes the MAC's order.
    const lines = original.split('\n');
    const first = lines.findIndex((line) => line.startsWith('    - ENC['));
    [lines[first], lines[first + 1]] = [lines[first + 1] ?? '', lines[first] ?? ''];
    const swapped = await verifySops(lines.join('\n'), identity ?? '');
    expect(swapped.computedMac).not.toBe(swapped.storedMac);
  });
});

describe('encryptSecretManifest', () => {
  it('round-trips hostile values through the independent sops-age decryptor', async () => {
    const { identity, recipient } = await identityPair();
    const text = await encryptSecretManifest({
      name: 'web-env',
      namespace: 'berth-acme',
      values: HOSTILE,
      recipients: [recipient],
    });
    const decrypted = z
      .object({ metadata: z.object({ name: z.string() }), stringData: z.record(z.string(), z.string()) })
      .parse(await decryptSops(text, { secretKey: identity, fileType: 'yaml' }));
    expect(decrypted.stringData).toEqual(HOSTILE);
    expect(decrypted.metadata.name).toBe('web-env');
  });

  it('writes a MAC that sops (and so Flux) accepts, over metadata and values in order', async () => {
    const { identity, recipient } = await identityPair();
    const text = await encryptSecretManifest({
      name: 'web-env',
      namespace: 'berth-acme',
      values: HOSTILE,
      recipients: [recipient],
      now: new Date('2025-06-01T12:34:56.789Z'),
    });
    const verified = await verifySops(text, identity);
    expect(verified.computedMac).toMatch(/^[0-9A-F]{128}$/);
    expect(verified.storedMac).toBe(verified.computedMac);
    expect(verified.values.get('metadata:namespace')).toEqual(['berth-acme']);
    // Editing readable metadata (moving the Secret) must break the MAC.
    const moved = await verifySops(text.replace('namespace: berth-acme', 'namespace: berth-evil'), identity);
    expect(moved.storedMac).not.toBe(moved.computedMac);
  });

  it('keeps the manifest readable, encrypts only the values, and leaks no plaintext', async () => {
    const { recipient } = await identityPair();
    const values = { ...HOSTILE, API_TOKEN: 'tok_live_8f3a9c2e7d' };
    const text = await encryptSecretManifest({
      name: 'web-env',
      namespace: 'berth-acme',
      values,
      recipients: [recipient],
      now: new Date('2025-06-01T12:34:56.789Z'),
    });
    const doc = sopsDocument.parse(parse(text));
    expect(doc.metadata).toEqual({ name: 'web-env', namespace: 'berth-acme' });
    expect(doc.sops.lastmodified).toBe('2025-06-01T12:34:56Z');
    expect(text).toContain('lastmodified: "2025-06-01T12:34:56Z"');
    expect(doc.sops.age[0]?.enc).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+-----END AGE ENCRYPTED FILE-----\n$/);
    expect(doc.sops.mac).toMatch(/^ENC\[AES256_GCM,data:[^,]+,iv:[^,]+,tag:[^,]+,type:str\]$/);
    for (const [name, value] of Object.entries(doc.stringData)) {
      if (name === 'EMPTY') expect(value).toBe('');
      else expect(value).toMatch(/^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]+,iv:[A-Za-z0-9+/=]{44},tag:[A-Za-z0-9+/=]{24},type:str\]$/);
    }
    for (const secret of ['tok_live_8f3a9c2e7d', 'line two', 'päss', '密码', 'xxxxxxxx', '"double"']) {
      expect(text).not.toContain(secret);
    }
  });

  it('uses a fresh data key and nonce every time', async () => {
    const { recipient } = await identityPair();
    const input = { name: 'web-env', namespace: 'berth-acme', values: { A: 'same' }, recipients: [recipient] };
    const [one, two] = await Promise.all([encryptSecretManifest(input), encryptSecretManifest(input)]);
    const valueOf = (text: string) => sopsDocument.parse(parse(text)).stringData.A;
    expect(valueOf(one)).not.toBe(valueOf(two));
  });

  it('lets each of several recipients decrypt on its own', async () => {
    const pairs = await Promise.all([identityPair(), identityPair(), identityPair()]);
    const text = await encryptSecretManifest({
      name: 'web-env',
      namespace: 'berth-acme',
      values: { DB_PASSWORD: 's3cret' },
      recipients: pairs.map((pair) => pair.recipient),
    });
    expect(sopsDocument.parse(parse(text)).sops.age.map((entry) => entry.recipient)).toEqual(pairs.map((p) => p.recipient));
    for (const { identity } of pairs) {
      const verified = await verifySops(text, identity);
      expect(verified.values.get('stringData:DB_PASSWORD')).toEqual(['s3cret']);
    }
    const stranger = await identityPair();
    await expect(decryptSops(text, { secretKey: stranger.identity, fileType: 'yaml' })).rejects.toThrow();
  });

  it('refuses bad recipients, names and values before encrypting anything', async () => {
    const { recipient } = await identityPair();
    const base = { name: 'web-env', namespace: 'berth-acme', values: { A: 'x' }, recipients: [recipient] };
    const broken = `${recipient.slice(0, -1)}${recipient.endsWith('q') ? 'p' : 'q'}`;
    const cases = [
      { ...base, recipients: [] },
      { ...base, recipients: ['ssh-ed25519 AAAA'] },
      { ...base, recipients: [broken] },
      { ...base, recipients: ['age1pq1' + 'q'.repeat(60)] },
      { ...base, name: 'Web_env' },
      { ...base, namespace: 'a'.repeat(64) },
      { ...base, values: { 'lower-case': 'x' } },
      { ...base, values: { A: 'x'.repeat(4097) } },
    ];
    for (const input of cases) {
      await expect(encryptSecretManifest(input), JSON.stringify(input).slice(0, 80)).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
  });

  it('names the Secret as the rendered Deployment expects', async () => {
    const { identity, recipient } = await identityPair();
    const text = await encryptAppSecret({
      ref: { tenant: 'acme', app: 'shop' },
      settings: DEFAULT_RENDER_SETTINGS,
      values: { TOKEN: 't' },
      recipients: [recipient],
    });
    const verified = await verifySops(text, identity);
    expect(verified.values.get('metadata:name')).toEqual(['shop-env']);
    expect(verified.values.get('metadata:namespace')).toEqual([`${DEFAULT_RENDER_SETTINGS.tenantNamespacePrefix}acme`]);
  });
});
