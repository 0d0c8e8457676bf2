import { afterAll, describe, expect, it } from 'vitest';
import { GROUP_COUNT, tenantGroup } from '../../src/domain/names.js';
import { renderApp, renderGroup, renderRoot, renderTenant, type RenderSettings } from '../../src/render/index.js';
import { loadTemplates } from '../../src/adapters/templates/template-files.js';
import { toolOrSkip } from '../support/tools.js';
import { kustomizeBuild, LOCKED_SETTINGS, removeTemp, SETTINGS, singleFileSpec, tempRepo, type KubeObject } from './support.js';

/*
 * The index files built for real: what the root Flux Kustomization and each
 * group's Flux Kustomization will apply.
 */

const templates = loadTemplates();
const temps: string[] = [];
afterAll(() => temps.forEach(removeTemp));

/** Renders every app of `fleet` and the index files over them into a temp repo. */
function renderFleet(fleet: Record<string, string[]>, settings: RenderSettings): string {
  const files = new Map<string, string>();
  const groups = new Map<string, string[]>();
  for (const [tenant, apps] of Object.entries(fleet)) {
    for (const app of apps) for (const entry of renderApp(singleFileSpec({ tenant, app, owner: tenant }), settings, templates)) files.set(...entry);
    for (const entry of renderTenant(tenant, apps, settings, templates)) files.set(...entry);
    groups.set(tenantGroup(tenant), [...(groups.get(tenantGroup(tenant)) ?? []), tenant]);
  }
  for (const [group, tenants] of groups) for (const entry of renderGroup(group, tenants, settings, templates)) files.set(...entry);
  for (const entry of renderRoot(groups.keys(), templates)) files.set(...entry);
  const repo = tempRepo(files);
  temps.push(repo);
  return repo;
}

const ids = (objects: KubeObject[]) => objects.map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`).sort();

describe.skipIf(!toolOrSkip('kubectl', ['version', '--client']))('kubectl kustomize of the index files', () => {
  it('builds an empty root to nothing', () => {
    const repo = tempRepo(renderRoot([], templates));
    temps.push(repo);
    expect(kustomizeBuild(repo, '.')).toEqual([]);
  });

  it('builds root → groups → tenants → apps, every path pointing at a folder that builds', () => {
    // "tau" hashes into alice's group (2b).
    const repo = renderFleet({ alice: ['hello', 'todo'], tau: ['clock'], bob: ['shop'] }, SETTINGS);
    const root = kustomizeBuild(repo, '.');
    expect(ids(root)).toEqual(['Kustomization flux-system/berth-group-2b', 'Kustomization flux-system/berth-group-81']);
    for (const group of root) expect((group.spec as { wait: boolean }).wait).toBe(false);

    const group = kustomizeBuild(repo, 'flux/groups/2b');
    expect(ids(group)).toEqual([
      'Kustomization flux-system/alice--hello',
      'Kustomization flux-system/alice--todo',
      'Kustomization flux-system/tau--clock',
      'Namespace -/berth-alice',
      'Namespace -/berth-tau',
      'RoleBinding berth-alice/berth-reader',
      'RoleBinding berth-tau/berth-reader',
    ]);
    const namespace = group.find((o) => o.kind === 'Namespace' && o.metadata.name === 'berth-alice');
    expect(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');

    for (const app of group.filter((o) => o.kind === 'Kustomization')) {
      const spec = app.spec as { path: string; wait: boolean; serviceAccountName?: string };
      expect(spec.wait).toBe(true);
      expect(spec.serviceAccountName).toBeUndefined();
      const built = kustomizeBuild(repo, spec.path);
      expect(built.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'IngressRoute', 'NetworkPolicy', 'Service']);
    }
  });

  it('adds the tenant service account and its admin binding under lockdown', () => {
    const repo = renderFleet({ carol: ['vault'] }, LOCKED_SETTINGS);
    const group = kustomizeBuild(repo, `flux/groups/${tenantGroup('carol')}`);
    expect(ids(group)).toEqual([
      'Kustomization flux-system/carol--vault',
      'Namespace -/berth-carol',
      'RoleBinding berth-carol/berth-reader',
      'RoleBinding berth-carol/berth-tenant-carol',
      'ServiceAccount flux-system/berth-tenant-carol',
    ]);
    const app = group.find((o) => o.kind === 'Kustomization');
    expect((app?.spec as { serviceAccountName: string }).serviceAccountName).toBe('berth-tenant-carol');
    const binding = group.find((o) => o.metadata.name === 'berth-tenant-carol' && o.kind === 'RoleBinding');
    expect(binding?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' });
  });

  it('measures the root build with all 256 groups', () => {
    const files = new Map<string, string>();
    const seen = new Set<string>();
    for (let i = 0; seen.size < GROUP_COUNT; i++) {
      const tenant = `t${i}`;
      const group = tenantGroup(tenant);
      if (seen.has(group)) continue;
      seen.add(group);
      for (const entry of renderGroup(group, [tenant], SETTINGS, templates)) files.set(...entry);
    }
    for (const entry of renderRoot(seen, templates)) files.set(...entry);
    const repo = tempRepo(files);
    temps.push(repo);
    const start = performance.now();
    const built = kustomizeBuild(repo, '.');
    const ms = performance.now() - start;
    console.log(`kubectl kustomize of the root with ${built.length} group Kustomizations: ${ms.toFixed(0)} ms`);
    expect(built).toHaveLength(GROUP_COUNT);
  });
});
