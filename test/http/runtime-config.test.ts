import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const production = { NODE_ENV: 'production', SIGNING_KEY_JWK: '{"kty":"OKP"}', SECRET_BOX_KEY: 'a'.repeat(44) };

describe('which runtime runs the apps', () => {
  it('is the local runtime by default, on the default loopback HOST', () => {
    expect(loadConfig({}).runtime).toMatchObject({ kind: 'local', python: '/usr/bin/python3', maxApps: 20 });
    expect(loadConfig({ HOST: '::1' }).runtime.kind).toBe('local');
    expect(loadConfig({ HOST: 'localhost', LOCAL_RUNTIME_MAX_APPS: '3' }).runtime).toMatchObject({ kind: 'local', maxApps: 3 });
  });

  it('is off on any other address unless asked for, because anyone who can sign up could run code here', () => {
    const open = loadConfig({ HOST: '0.0.0.0' }).runtime;
    expect(open.kind).toBe('none');
    expect(open.kind === 'none' && open.reason).toContain('RUNTIME=local');
    expect(loadConfig({ HOST: '0.0.0.0', RUNTIME: 'local' }).runtime.kind).toBe('local');
  });

  it('is never local in production, and reads a cluster when one is configured', () => {
    expect(() => loadConfig({ ...production, RUNTIME: 'local' })).toThrow(ConfigError);
    expect(loadConfig(production).runtime.kind).toBe('none');
    expect(loadConfig({ ...production, KUBERNETES_SERVICE_HOST: '10.0.0.1' }).runtime.kind).toBe('kubernetes');
    expect(loadConfig({ KUBECONFIG: '/tmp/kubeconfig' }).runtime).toMatchObject({ kind: 'kubernetes', kubeconfig: '/tmp/kubeconfig' });
    expect(loadConfig({ RUNTIME: 'none' }).runtime.kind).toBe('none');
  });
});
