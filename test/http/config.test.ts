import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      bodyLimitBytes: 1024 * 1024,
      corsOrigins: [],
      production: false,
      cleanup: { sleepAfterHours: 24, deleteAfterHours: 168 },
    });
    expect(config.appsRepo).toBe(join(config.dataDir, 'apps.git'));
    expect(config.mongo).toBeUndefined();
  });

  it('names the bad variable and never echoes a secret value', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ PORT: 'eighty' })).toContain('PORT');
    expect(bad({ CORS_ORIGINS: '*' })).toContain('CORS_ORIGINS');
    expect(bad({ CORS_ORIGINS: 'https://ok.example.com,https://x.example.com/path' })).toContain('CORS_ORIGINS');
    expect(bad({ SOPS_AGE_RECIPIENTS: 'not-a-key' })).toContain('SOPS_AGE_RECIPIENTS');
    expect(bad({ CLEANUP_SLEEP_AFTER_HOURS: '48', CLEANUP_DELETE_AFTER_HOURS: '24' })).toContain('CLEANUP_DELETE_AFTER_HOURS');
    const mongo = bad({ MONGODB_URI: 'postgres://user:hunter2@db/x' });
    expect(mongo).toContain('MONGODB_URI');
    expect(mongo).not.toContain('hunter2');
    expect(bad({ GIT_REMOTE_URL: 'https://git.example.com/a.git', GIT_REMOTE_TOKEN: 'tok-123' })).not.toContain('tok-123');
  });

  it('marks production cookies Secure and describes itself without secrets', () => {
    const keys = { SIGNING_KEY_JWK: '{"kty":"OKP"}', SECRET_BOX_KEY: Buffer.alloc(32, 7).toString('base64') };
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SIGNING_KEY_JWK: required when NODE_ENV=production/);
    const config = loadConfig({ NODE_ENV: 'production', MONGODB_URI: 'mongodb://u:pw-secret@db:27017/berth', GITHUB_WEBHOOK_SECRET: 'whsec', ...keys });
    expect(config.production).toBe(true);
    const described = JSON.stringify(describeConfig(config));
    expect(described).not.toContain('pw-secret');
    expect(described).not.toContain('whsec');
    expect(described).not.toContain(keys.SECRET_BOX_KEY);
  });

  it('stops start-up with exit 1 and a message naming the variable', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', PORT: '99999', BODY_LIMIT_BYTES: 'lots' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PORT');
    expect(run.stderr).toContain('BODY_LIMIT_BYTES');
  });
});
