import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_SETTINGS } from '../../src/render/settings.js';
import { loadStarters } from '../../src/starters/index.js';
import { kustomizeBuild, LOCKED_SETTINGS, REPO_ROOT, type KubeObject } from '../render/support.js';
import { toolOrSkip } from '../support/tools.js';
import { checkConfigMapVolumes, checkNames, checkPorts, checkRestricted, checkSelectors, crossObjectProblems } from './cross-checks.js';
import { walkFlux, type FluxWalk } from './flux-graph.js';
import { generateAppsRepo, LONGEST } from './generated-repo.js';
import { describeSchemaSets, loadSchemaSet, SCHEMA_ROOT, SCHEMA_SETS, type ObjectValidator } from './schema-sets.js';

/*
 * What a real cluster would say, checked from the outside: everything flux/,
 * both cluster overlays and a generated apps repository build to, validated
 * against the published Kubernetes, Flux and Traefik schemas at both ends of
 * the supported range (README.md), plus the references between objects that
 * no schema sees. The planted defects at the end prove each check bites.
 */

const hasTools = toolOrSkip('kubectl', ['version', '--client']) && toolOrSkip('git');

interface Build {
  readonly name: string;
  readonly objects: readonly KubeObject[];
}

const validators = new Map<string, ObjectValidator>();
function validatorFor(label: string): ObjectValidator {
  const set = SCHEMA_SETS.find((s) => s.label === label);
  if (!set) throw new Error(`no schema set ${label}`);
  let validator = validators.get(label);
  if (!validator) validators.set(label, (validator = loadSchemaSet(set)));
  return validator;
}

function schemaProblems(validate: ObjectValidator, objects: readonly KubeObject[]): string[] {
  return objects.flatMap((o) => validate(o).map((p) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}: ${p}`));
}

const find = (objects: readonly KubeObject[], kind: string, name?: string): KubeObject => {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? `/${name}` : ''}`);
  return found;
};

describe.skipIf(!hasTools)('manifests against the published schemas', () => {
  let repo: Awaited<ReturnType<typeof generateAppsRepo>>;
  let lockedRepo: Awaited<ReturnType<typeof generateAppsRepo>>;
  let builds: Build[];
  let walks: Map<string, FluxWalk>;

  beforeAll(async () => {
    // Default settings behind clusters/local; tenant lockdown and an ACME resolver behind clusters/production.
    repo = await generateAppsRepo(DEFAULT_RENDER_SETTINGS);
    lockedRepo = await generateAppsRepo(LOCKED_SETTINGS);
    const clusters = ['clusters/local', 'clusters/production'].map((dir) => ({ name: dir, objects: kustomizeBuild(REPO_ROOT, dir) }));
    // Each cluster's root Kustomization reads a generated apps repository.
    walks = new Map(clusters.map((c) => [c.name, walkFlux(c.objects, c.objects, c.name === 'clusters/local' ? repo.dir : lockedRepo.dir)]));
    const applied = [...walks].flatMap(([cluster, walk]) => [...walk.applied].map(([name, objects]) => ({ name: `apps repo (${cluster}): ${name}`, objects })));
    builds = [{ name: 'flux', objects: kustomizeBuild(REPO_ROOT, 'flux') }, ...clusters, ...applied];
  }, 240_000);
  afterAll(() => {
    repo?.close();
    lockedRepo?.close();
  });

  it('covers the oldest and newest supported versions, from vendored files whose source is recorded', () => {
    console.log(`manifest schemas: ${describeSchemaSets()}`);
    const sources = JSON.parse(readFileSync(join(SCHEMA_ROOT, 'SOURCES.json'), 'utf8')) as {
      sets: { dir: string; files: { file: string; sha256: string }[] }[];
    };
    for (const set of SCHEMA_SETS) {
      for (const dir of [`kubernetes/${set.kubernetes}`, `flux/${set.flux}`, `traefik/${set.traefik}`]) {
        const recorded = sources.sets.find((s) => s.dir === dir);
        expect(recorded, dir).toBeDefined();
        expect(recorded?.files.length).toBeGreaterThan(0);
      }
    }
  });

  it('is the range the READMEs state (the oldest Flux has every field the manifests use)', () => {
    const minor = (v: string) => v.replace(/^v/, '').split('.').slice(0, 2).join('.');
    const [oldest, newest] = SCHEMA_SETS;
    if (!oldest || !newest) throw new Error('two schema sets expected');
    // Prettier pads table cells: compare with runs of spaces folded.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').replace(/ +/g, ' ');
    expect(readme).toContain(`| Kubernetes | ${minor(oldest.kubernetes)} | ${minor(newest.kubernetes)} |`);
    expect(readme).toContain(`| Flux | ${minor(oldest.flux)} | ${minor(newest.flux)} |`);
    expect(readme).toContain(`| Traefik | ${minor(oldest.traefik)} | ${minor(newest.traefik)} |`);
    const fluxReadme = readFileSync(join(REPO_ROOT, 'flux/README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(fluxReadme).toContain(`Flux ${minor(oldest.flux)} to ${minor(newest.flux)}`);
  });

  it('builds every object Berth would have a cluster apply: Flux, both overlays, every app of the generated repo', () => {
    const kinds = new Set(builds.flatMap((b) => b.objects.map((o) => `${o.apiVersion} ${o.kind}`)));
    for (const kind of [
      'apps/v1 Deployment',
      'v1 Service',
      'v1 ConfigMap',
      'v1 Secret',
      'v1 Namespace',
      'networking.k8s.io/v1 NetworkPolicy',
      'policy/v1 PodDisruptionBudget',
      'traefik.io/v1alpha1 IngressRoute',
      'kustomize.toolkit.fluxcd.io/v1 Kustomization',
      'source.toolkit.fluxcd.io/v1 GitRepository',
      'notification.toolkit.fluxcd.io/v1 Receiver',
      'notification.toolkit.fluxcd.io/v1beta3 Provider',
      'notification.toolkit.fluxcd.io/v1beta3 Alert',
    ]) {
      expect(kinds).toContain(kind);
    }
    // Root, its groups, their tenants' apps: every starter, the secret app, the sleeper, the longest names.
    for (const [cluster, walk] of walks)
      expect(
        [...walk.applied.keys()].filter((k) => k.includes('--')),
        cluster,
      ).toHaveLength(loadStarters().length + 3);
    // Tenant lockdown: each app applies as its tenant's ServiceAccount.
    const locked = builds.filter((b) => b.name.startsWith('apps repo (clusters/production)')).flatMap((b) => b.objects);
    expect(locked.map((o) => o.kind)).toContain('ServiceAccount');
  });

  for (const set of SCHEMA_SETS) {
    it(`every object validates, unknown fields refused, at the ${set.label} versions (Kubernetes ${set.kubernetes}, Flux ${set.flux}, Traefik ${set.traefik})`, () => {
      const validate = validatorFor(set.label);
      const problems = builds.flatMap((b) => schemaProblems(validate, b.objects).map((p) => `${b.name}: ${p}`));
      expect(problems).toEqual([]);
      const count = builds.reduce((n, b) => n + b.objects.length, 0);
      console.log(`manifest schemas: ${count} objects from ${builds.length} builds valid at the ${set.label} versions`);
    });
  }

  it('follows every Flux Kustomization: sourceRefs exist, paths exist in the repo, SOPS decryption exactly where a Secret is', () => {
    for (const [cluster, walk] of walks) expect(walk.problems, cluster).toEqual([]);
    const production = walks.get('clusters/production');
    const vault = production?.applied.get('Kustomization/flux-system/carol--vault') ?? [];
    expect(vault.map((o) => o.kind)).toContain('Secret');
  });

  it('holds the cross-object checks: selectors, ports, ConfigMap keys, Pod Security "restricted", name limits', () => {
    const clusterProblems = ['clusters/local', 'clusters/production'].flatMap((name) =>
      crossObjectProblems(builds.find((b) => b.name === name)?.objects ?? []).map((p) => `${name}: ${p}`),
    );
    const appProblems = builds.filter((b) => b.name.startsWith('apps repo')).flatMap((b) => crossObjectProblems(b.objects).map((p) => `${b.name}: ${p}`));
    expect([...clusterProblems, ...appProblems]).toEqual([]);
  });

  it('keeps every derived name within 63 characters at the longest tenant and app names', () => {
    const longest = builds.filter((b) => b.name.endsWith(`${LONGEST.tenant}--${LONGEST.app}`));
    expect(longest).toHaveLength(2);
    for (const { objects } of longest) {
      const route = find(objects, 'IngressRoute');
      const host = /Host\(`([^`]+)`\)/.exec(JSON.stringify(route.spec))?.[1] ?? '';
      expect(host.split('.')[0]).toBe(`${LONGEST.app}--${LONGEST.tenant}`);
      expect(host.split('.')[0]?.length).toBe(62);
      expect(checkNames(objects)).toEqual([]);
    }
  });

  describe('planted defects each fail', () => {
    // Planted defects poke into objects freely: the checks, not the types, judge them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    type Loose = any;
    const app = (): Loose[] => structuredClone(builds.find((b) => b.name.endsWith('alice--hello'))?.objects ?? []) as Loose[];
    const asObjects = (objects: Loose[]) => objects as KubeObject[];
    const pick = (objects: readonly Loose[], kind: string, name?: string): Loose => find(objects as KubeObject[], kind, name);

    it('an unknown field, in a core kind and in a CRD, at both versions', () => {
      for (const set of SCHEMA_SETS) {
        const objects = app();
        pick(objects, 'Deployment').spec.template.spec.containers[0].imagePullPolicyy = 'Always';
        pick(objects, 'IngressRoute').spec.routes[0].priorityy = 1;
        const flux = structuredClone(pick(builds.find((b) => b.name === 'flux')?.objects ?? [], 'Kustomization', 'berth-apps')) as Loose;
        flux.spec.prunee = true;
        objects.push(flux);
        const problems = schemaProblems(validatorFor(set.label), asObjects(objects));
        expect(problems.join('\n')).toContain('(prunee)');
        expect(problems.join('\n')).toContain('(imagePullPolicyy)');
        expect(problems.join('\n')).toContain('(priorityy)');
      }
    });

    it('a Flux Kustomization whose source, path or decryption is wrong', () => {
      const root = structuredClone(pick(builds.find((b) => b.name === 'flux')?.objects ?? [], 'Kustomization', 'berth-apps')) as Loose;
      const sources = builds.find((b) => b.name === 'clusters/production')?.objects ?? [];
      const missing = {
        ...root,
        metadata: { ...root.metadata, name: 'missing' },
        spec: { ...root.spec, path: './nope', sourceRef: { kind: 'GitRepository', name: 'other' } },
      };
      const fluxObject = (name: string) =>
        structuredClone(
          pick(
            builds.flatMap((b) => b.objects),
            'Kustomization',
            name,
          ),
        ) as Loose;
      const decrypting = fluxObject('alice--hello');
      decrypting.spec.decryption = { provider: 'sops', secretRef: { name: 'sops-age' } };
      const plain = fluxObject('carol--vault');
      delete plain.spec.decryption;
      const problems = walkFlux(asObjects([missing, decrypting, plain]), sources, repo.dir).problems.join('\n');
      expect(problems).toContain('alice--hello: has SOPS decryption but applies no Secret');
      expect(problems).toContain('carol--vault: applies vault-env without SOPS decryption');
      expect(problems).toContain('missing: sourceRef GitRepository/flux-system/other does not exist');
      expect(problems).toContain('missing: path ./nope has no kustomization.yaml');
    });

    it('a wrong type', () => {
      const objects = app();
      pick(objects, 'Deployment').spec.replicas = 'two';
      expect(schemaProblems(validatorFor('newest'), asObjects(objects)).join('\n')).toMatch(/Deployment\/.*\/spec\/replicas must be integer/);
    });

    it('a selector that matches no pod', () => {
      const objects = app();
      pick(objects, 'Service').spec.selector['app.kubernetes.io/name'] = 'other';
      expect(checkSelectors(asObjects(objects)).join('\n')).toMatch(/Service\/.*matches no pod template/);
    });

    it('a ConfigMap volume item naming a missing key', () => {
      const objects = app();
      pick(objects, 'Deployment').spec.template.spec.volumes[0].configMap.items.push({ key: 'missing.py', path: 'missing.py' });
      expect(checkConfigMapVolumes(asObjects(objects)).join('\n')).toContain('item key missing.py is not in ConfigMap');
    });

    it('a pod template that breaks Pod Security "restricted", and a targetPort no container has', () => {
      const objects = app();
      pick(objects, 'Deployment').spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
      pick(objects, 'Service').spec.ports[0].targetPort = 9999;
      expect(checkRestricted(asObjects(objects)).join('\n')).toContain('does not set allowPrivilegeEscalation: false');
      expect(checkPorts(asObjects(objects)).join('\n')).toContain('targetPort 9999 is no container port');
    });

    it('a Service name with a digit first', () => {
      const objects = app();
      pick(objects, 'Service').metadata.name = '9lives';
      expect(checkNames(asObjects(objects)).join('\n')).toContain('must be a DNS-1035 label');
    });
  });
});
