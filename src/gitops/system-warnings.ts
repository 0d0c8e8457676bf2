import { isPlaceholderDigest, readComponentImage } from '../domain/placeholder-pin.js';
import { GROUP_NAME, RUNNER_COMPONENT, TENANTS_DIR } from '../domain/layout.js';
import type { GitPort } from '../ports/git.js';

/** Something an operator must fix before apps can run on a real cluster; shown at start-up, by `GET /system` and in the UI. */
export interface SystemWarning {
  readonly code: 'placeholder_runner_pin' | 'missing_runner_pin' | 'legacy_layout';
  readonly message: string;
}

const HOW_TO_PIN = 'pin a real runner image: POST /api/v1/ops/runner-image, or edit and commit components/runner/kustomization.yaml';

/**
 * Warnings about the fleet-wide runner pin at the branch head. Read on every
 * call (a pin is a commit, by Berth or by hand), from the git adapter's cache.
 */
export async function fleetPinWarnings(git: Pick<GitPort, 'head' | 'tree'>, branch: string): Promise<SystemWarning[]> {
  const head = await git.head(branch);
  if (head === undefined) return [];
  const text = await (await git.tree(head)).readFile(RUNNER_COMPONENT);
  const pin = text === undefined ? undefined : readComponentImage(text);
  if (!pin) {
    return [
      {
        code: 'missing_runner_pin',
        message: `${RUNNER_COMPONENT} pins no berth-runner image by digest, so apps without their own pin have no image; ${HOW_TO_PIN}`,
      },
    ];
  }
  if (isPlaceholderDigest(pin.digest)) {
    return [
      {
        code: 'placeholder_runner_pin',
        message: `the fleet-wide runner image is the placeholder ${pin.image}@${pin.digest}, which no registry has: on a real cluster every app would fail its health check; ${HOW_TO_PIN}`,
      },
    ];
  }
  return [];
}

/**
 * A repository still in the layout before tenants/ was sharded: this Berth
 * would write each app it touches to the new place beside the old folder, so
 * the operator must run `berth repo upgrade` first. One listing of tenants/.
 */
export async function layoutWarnings(git: Pick<GitPort, 'head' | 'tree'>, branch: string): Promise<SystemWarning[]> {
  const head = await git.head(branch);
  if (head === undefined) return [];
  const entries = (await (await git.tree(head)).listDir(TENANTS_DIR)) ?? [];
  const legacy = entries.filter((entry) => entry.type === 'tree' && !GROUP_NAME.test(entry.name)).length;
  if (legacy === 0) return [];
  return [
    {
      code: 'legacy_layout',
      message: `${TENANTS_DIR}/ holds ${legacy} tenant folder(s) in the old, unsharded layout; stop deploying and run \`berth repo upgrade <gitdir>\` on a clone (one commit, only paths change), then push`,
    },
  ];
}
