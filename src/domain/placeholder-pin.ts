import { parseDocument } from 'yaml';
import type { RunnerImage } from './app-spec.js';

/**
 * The digest the apps-repo skeleton ships in `components/runner`. No image
 * has it, so a fleet pinned to it pulls nothing and, with `wait: true`, every
 * app fails its health check on a real cluster. It exists only so a repo can
 * be made without a runner build (tests, a laptop without a cluster).
 */
export const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;

export function isPlaceholderDigest(digest: string): boolean {
  return digest === PLACEHOLDER_DIGEST;
}

/** The `berth-runner` entry of a runner Component (or any kustomization's `images:`), if it is pinned by digest. */
export function readComponentImage(componentYaml: string): RunnerImage | undefined {
  const images = parseDocument(componentYaml).toJS() as { images?: unknown } | null;
  if (!images || !Array.isArray(images.images)) return undefined;
  for (const entry of images.images as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, newName, digest } = entry as Record<string, unknown>;
    if (name === 'berth-runner' && typeof newName === 'string' && typeof digest === 'string') return { image: newName, digest };
  }
  return undefined;
}
