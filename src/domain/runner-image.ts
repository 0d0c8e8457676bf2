import { isMap, isSeq, parseDocument } from 'yaml';
import { InputError } from '../errors.js';
import { DIGEST, type RunnerImage } from './app-spec.js';

/** A repository without tag or digest (`ghcr.io/org/runner`): the digest is given on its own. */
const IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Runner images are pinned by digest, never by a tag that can move (the original used `:latest`). */
export function assertRunnerImage(runner: RunnerImage): RunnerImage {
  if (!IMAGE.test(runner.image)) {
    throw new InputError(`runner image ${JSON.stringify(runner.image)} must be a repository without tag or digest, e.g. ghcr.io/org/runner`);
  }
  if (!DIGEST.test(runner.digest)) {
    throw new InputError(`runner digest ${JSON.stringify(runner.digest)} must be sha256:<64 lower-case hex>`);
  }
  return runner;
}

/**
 * Rewrites the `berth-runner` entry of the runner Component (or of any
 * kustomization's `images:`), keeping the file's comments, so a fleet-wide
 * pin is a one-line diff.
 */
export function setComponentImage(componentYaml: string, runner: RunnerImage): string {
  const doc = parseDocument(componentYaml);
  const images = doc.get('images');
  const entry = isSeq(images) ? images.items.find((item) => isMap(item) && item.get('name') === 'berth-runner') : undefined;
  if (isMap(entry)) {
    entry.set('newName', runner.image);
    entry.set('digest', runner.digest);
    entry.delete('newTag');
  } else {
    doc.set('images', doc.createNode([{ name: 'berth-runner', newName: runner.image, digest: runner.digest }]));
  }
  return doc.toString();
}
