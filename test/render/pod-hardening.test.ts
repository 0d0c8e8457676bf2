import { describe, expect, it } from 'vitest';
import { appDir } from '../../src/domain/layout.js';
import { InputError } from '../../src/errors.js';
import { loadTemplates } from '../../src/adapters/templates/template-files.js';
import { renderApp, type RenderSettings } from '../../src/render/index.js';
import { parseRenderSettings } from '../../src/render/settings-schema.js';
import { byKind, kustomizeBuild, removeTemp, SETTINGS, singleFileSpec, tempRepo } from './support.js';

const templates = loadTemplates();

/** The Deployment's pod spec as kustomize builds it (the shape the cluster receives). */
function podSpec(settings: RenderSettings, tenant = 'alice'): Record<string, unknown> {
  const spec = singleFileSpec({ tenant });
  const repo = tempRepo(renderApp(spec, settings, templates));
  try {
    const deployment = byKind(kustomizeBuild(repo, appDir({ tenant, app: spec.app })), 'Deployment') as unknown as {
      spec: { template: { spec: Record<string, unknown> & { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    return deployment.spec.template.spec;
  } finally {
    removeTemp(repo);
  }
}

describe('pod hardening', () => {
  it('never mounts a service-account token or leaks other Services into the environment', () => {
    const pod = podSpec(SETTINGS);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod).not.toHaveProperty('runtimeClassName');
  });

  it('runs every pod under the fleet-wide RuntimeClass, and a tenant under its own', () => {
    const settings = parseRenderSettings({ ...SETTINGS, runtimeClassName: 'gvisor', tenantRuntimeClasses: { bob: 'kata-qemu' } });
    expect(podSpec(settings, 'alice').runtimeClassName).toBe('gvisor');
    expect(podSpec(settings, 'bob').runtimeClassName).toBe('kata-qemu');
    expect(podSpec(parseRenderSettings({ ...SETTINGS, tenantRuntimeClasses: { bob: 'gvisor' } }), 'alice')).not.toHaveProperty('runtimeClassName');
  });

  it('refuses a RuntimeClass name that is not a Kubernetes name', () => {
    expect(() => parseRenderSettings({ ...SETTINGS, runtimeClassName: 'g visor\nx: 1' })).toThrow(InputError);
    expect(() => parseRenderSettings({ ...SETTINGS, tenantRuntimeClasses: { Bob: 'gvisor' } })).toThrow(InputError);
  });

  it("tells the runner's audit hook the egress the NetworkPolicy allows", () => {
    const env = (podSpec(SETTINGS).containers as { env: { name: string; value?: string }[] }[])[0]?.env ?? [];
    expect(env).toContainEqual({ name: 'BERTH_EGRESS', value: '*.databases.svc,*.databases.svc.cluster.local' });
  });
});
