import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/package-paths.js';
import { toolOrSkip } from '../support/tools.js';

const root = packageRoot();
const hasKubectl = toolOrSkip('kubectl', ['version', '--client']);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

function build(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(root, dir)], { encoding: 'utf8' });
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in the build`);
  return found;
}

describe.skipIf(!hasKubectl)('scripts/check-manifests.sh', () => {
  it('builds every kustomization folder and reports each with its time', () => {
    const run = spawnSync('bash', ['scripts/check-manifests.sh'], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const folders = lines.map((line) => line.split(/\s+/)[1]);
    expect(folders).toEqual(
      expect.arrayContaining(['apps-repo', 'apps-repo/components/runner', 'flux', 'clusters/base/berth', 'clusters/local', 'clusters/production']),
    );
    for (const line of lines) expect(line).toMatch(/^ok {4}\S+\s+\d+\.\d\ds {2}\d+ objects$/);
  });

  describe('on a broken tree', () => {
    let tmp: string;
    beforeAll(() => {
      // A copy of the script next to folders that fail in the two ways it checks.
      tmp = mkdtempSync(join(tmpdir(), 'berth-check-manifests-'));
      cpSync(join(root, 'scripts'), join(tmp, 'scripts'), { recursive: true });
      symlinkSync(join(root, 'node_modules'), join(tmp, 'node_modules'));
      const kustomization = (resources: string[]) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${resources.join(', ')}]\n`;
      mkdirSync(join(tmp, 'apps-repo'));
      writeFileSync(join(tmp, 'apps-repo/kustomization.yaml'), kustomization([]));
      mkdirSync(join(tmp, 'flux'));
      writeFileSync(join(tmp, 'flux/kustomization.yaml'), kustomization(['missing.yaml']));
      mkdirSync(join(tmp, 'clusters/x'), { recursive: true });
      writeFileSync(join(tmp, 'clusters/x/kustomization.yaml'), kustomization(['cm.yaml']));
      writeFileSync(join(tmp, 'clusters/x/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n');
      // kustomize builds an object without apiVersion; only the document check catches it.
      mkdirSync(join(tmp, 'clusters/y'), { recursive: true });
      writeFileSync(join(tmp, 'clusters/y/kustomization.yaml'), kustomization(['cm.yaml']));
      writeFileSync(join(tmp, 'clusters/y/cm.yaml'), 'kind: ConfigMap\nmetadata:\n  name: no-api-version\n');
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('fails, naming each folder that does not build or lacks a name', () => {
      const run = spawnSync('bash', [join(tmp, 'scripts/check-manifests.sh')], { cwd: tmp, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^ok {4}apps-repo /m);
      expect(run.stdout).toMatch(/^FAIL {2}flux /m);
      expect(run.stdout).toMatch(/missing\.yaml/);
      // kustomize itself rejects an object without a name.
      expect(run.stdout).toMatch(/^FAIL {2}clusters\/x /m);
      expect(run.stdout).toMatch(/^FAIL {2}clusters\/y /m);
      expect(run.stdout).toContain('(ConfigMap/no-api-version): no apiVersion');
    });
  });
});

describe.skipIf(!hasKubectl)('built manifests keep the agreed names and guarantees', () => {
  it('flux/: the apps repository source, root, receiver and event path to Berth', () => {
    const objects = build('flux');
    for (const o of objects) expect(o.metadata.namespace).toBe('flux-system');
    expect(find(objects, 'GitRepository', 'berth-apps').apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    const rootKs = find(objects, 'Kustomization', 'berth-apps');
    expect(rootKs.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(rootKs.spec).toMatchObject({
      path: './',
      prune: true,
      wait: false,
      sourceRef: { kind: 'GitRepository', name: 'berth-apps' },
      deletionPolicy: 'Orphan',
    });
    // The root holds no Secret, so no decryption (test/manifests/schemas.test.ts: exactly where a Secret is).
    expect(rootKs.spec).not.toHaveProperty('decryption');
    expect(find(objects, 'Receiver', 'berth-apps').apiVersion).toBe('notification.toolkit.fluxcd.io/v1');
    const provider = find(objects, 'Provider', 'berth');
    expect(provider.apiVersion).toBe('notification.toolkit.fluxcd.io/v1beta3');
    expect(provider.spec).toMatchObject({ type: 'generic-hmac', address: 'http://berth.berth.svc.cluster.local:8080/api/v1/webhooks/flux' });
    expect(find(objects, 'Alert', 'berth').spec).toMatchObject({ providerRef: { name: 'berth' }, eventSeverity: 'info' });
  });

  it.each(['clusters/local', 'clusters/production'])('%s: HA, locked down, read-only, pinned by digest', (dir) => {
    const objects = build(dir);
    expect(objects.some((o) => o.kind === 'ClusterRoleBinding')).toBe(false);
    expect(find(objects, 'ClusterRole', 'berth-reader')).toBeDefined();
    expect(find(objects, 'Role', 'berth-flux-reader').metadata.namespace).toBe('flux-system');
    expect(find(objects, 'GitRepository', 'berth-apps').spec?.url).not.toMatch(/example\.invalid/);

    const deployment = find(objects, 'Deployment', 'berth') as K8sObject & {
      spec: {
        replicas: number;
        strategy: { rollingUpdate: { maxUnavailable: number } };
        template: { spec: { containers: { image: string; securityContext: Record<string, unknown>; resources: Record<string, unknown> }[] } };
      };
    };
    expect(deployment.metadata.namespace).toBe('berth');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(container?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container?.resources).toHaveProperty('limits');
    expect(find(objects, 'PodDisruptionBudget', 'berth').spec).toMatchObject({ minAvailable: 1 });
    expect(find(objects, 'IngressRoute', 'berth').spec).toMatchObject({ entryPoints: ['websecure'] });
  });
});
