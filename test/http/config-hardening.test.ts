import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config: pod RuntimeClass and validation capacity', () => {
  it('defaults to the cluster runtime, workers sized to the machine and 300 validations a minute', () => {
    const config = loadConfig({});
    expect(config.runtimeClasses).toEqual({ tenants: {} });
    expect(config.validateWorkers).toBe(0);
    expect(config.rateLimits.validatePerMinute).toBe(300);
  });

  it('reads a fleet-wide RuntimeClass and per-tenant ones', () => {
    const config = loadConfig({ RUNTIME_CLASS_NAME: 'gvisor', TENANT_RUNTIME_CLASSES: 'alice=kata-qemu, bob=gvisor', VALIDATE_WORKERS: '3' });
    expect(config.runtimeClasses).toEqual({ fleet: 'gvisor', tenants: { alice: 'kata-qemu', bob: 'gvisor' } });
    expect(config.validateWorkers).toBe(3);
  });

  it('names the variable when a RuntimeClass entry is not tenant=name', () => {
    for (const env of [{ TENANT_RUNTIME_CLASSES: 'alice:gvisor' }, { RUNTIME_CLASS_NAME: 'G Visor' }, { VALIDATE_WORKERS: '99' }]) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(new RegExp(Object.keys(env)[0] ?? ''));
    }
  });
});
