import { existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { kustomizeBuild, type KubeObject } from '../render/support.js';

/*
 * Follows the Flux Kustomizations the way kustomize-controller would: build
 * each one's `path` from its source, then every Flux Kustomization that build
 * contains, checking on the way that each sourceRef names a GitRepository the
 * cluster has, each path exists in the repository, and SOPS decryption is set
 * exactly where the build holds a Secret (and that Secret is encrypted).
 */

export interface FluxWalk {
  /** Everything the cluster would end up applying, by the Kustomization that applies it. */
  readonly applied: ReadonlyMap<string, readonly KubeObject[]>;
  readonly problems: readonly string[];
}

const isFluxKustomization = (o: KubeObject) => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');

export function walkFlux(roots: readonly KubeObject[], sources: readonly KubeObject[], repoDir: string, limit = 2000): FluxWalk {
  const applied = new Map<string, KubeObject[]>();
  const problems: string[] = [];
  const queue = roots.filter(isFluxKustomization);
  while (queue.length > 0) {
    const k = queue.shift() as KubeObject;
    const name = `Kustomization/${k.metadata.namespace ?? ''}/${k.metadata.name}`;
    if (applied.has(name)) {
      problems.push(`${name}: defined twice`);
      continue;
    }
    if (applied.size >= limit) throw new Error(`more than ${limit} Flux Kustomizations: a cycle?`);
    const spec = (k.spec ?? {}) as {
      sourceRef?: { kind?: string; name?: string; namespace?: string };
      path?: string;
      decryption?: { provider?: string; secretRef?: { name?: string } };
    };
    const ref = spec.sourceRef ?? {};
    const refNamespace = ref.namespace ?? k.metadata.namespace;
    if (!sources.some((s) => s.kind === ref.kind && s.metadata.name === ref.name && s.metadata.namespace === refNamespace)) {
      problems.push(`${name}: sourceRef ${String(ref.kind)}/${String(refNamespace)}/${String(ref.name)} does not exist`);
    }
    const path = normalize(spec.path ?? './');
    if (path.startsWith('..') || !existsSync(join(repoDir, path, 'kustomization.yaml'))) {
      problems.push(`${name}: path ${String(spec.path)} has no kustomization.yaml in the repository`);
      applied.set(name, []);
      continue;
    }
    const objects = kustomizeBuild(repoDir, path);
    applied.set(name, objects);
    const secrets = objects.filter((o) => o.kind === 'Secret');
    const decrypts = spec.decryption?.provider === 'sops' && typeof spec.decryption.secretRef?.name === 'string';
    if (secrets.length > 0 && !decrypts) problems.push(`${name}: applies ${secrets.map((s) => s.metadata.name).join(', ')} without SOPS decryption`);
    if (secrets.length === 0 && spec.decryption !== undefined) problems.push(`${name}: has SOPS decryption but applies no Secret`);
    for (const s of secrets) if (!('sops' in s)) problems.push(`${name}: Secret ${s.metadata.name} is not SOPS-encrypted`);
    queue.push(...objects.filter(isFluxKustomization));
  }
  return { applied, problems };
}
