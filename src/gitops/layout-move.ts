import { appDir, appFluxFile, legacyAppDir, RUNNER_COMPONENT_DIR, TENANTS_DIR } from '../domain/layout.js';
import { isValidName, type AppRef } from '../domain/names.js';

/**
 * Moving a repository written before tenants/ was sharded
 * (`tenants/<tenant>/<app>/`) to the sharded layout
 * (`tenants/<gg>/<tenant>/<app>/`). Pure: which folders move and how the two
 * files that name an app folder's path change. Everything else keeps its
 * bytes, so `git show -M` shows the move as renames plus two one-line edits
 * per app, and Flux sees the same objects under the same names (the app's
 * Flux Kustomization only gets a new spec.path; the group Kustomizations and
 * their lists do not change at all).
 */

/** The apps a repository still holds in the old layout, from the paths of its files. */
export function legacyAppsOf(paths: Iterable<string>): { legacy: AppRef[]; sharded: Set<string> } {
  const legacy: AppRef[] = [];
  const sharded = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    if (parts[0] !== TENANTS_DIR || parts[parts.length - 1] !== 'berth.yaml') continue;
    if (parts.length === 4 && isValidName(parts[1] ?? '') && isValidName(parts[2] ?? '')) {
      legacy.push({ tenant: parts[1] ?? '', app: parts[2] ?? '' });
    } else if (parts.length === 5) sharded.add(`${parts[2]}/${parts[3]}`);
  }
  return { legacy, sharded };
}

/** The relative path from an app folder to the fleet runner component, as the renderer writes it. */
function runnerComponentFrom(dir: string): string {
  return `${'../'.repeat(dir.split('/').length)}${RUNNER_COMPONENT_DIR}`;
}

export interface AppMove {
  readonly from: string;
  readonly to: string;
  /** The app folder's kustomization.yaml, with the runner component's relative path one level deeper. */
  readonly kustomization: { readonly path: string; rewrite(text: string): string };
  /** The app's Flux Kustomization, pointing at the new folder. */
  readonly flux: { readonly path: string; rewrite(text: string): string };
}

export function planAppMove(ref: AppRef): AppMove {
  const from = legacyAppDir(ref);
  const to = appDir(ref);
  const quoted = (text: string) => JSON.stringify(text);
  return {
    from,
    to,
    kustomization: {
      path: `${to}/kustomization.yaml`,
      rewrite: (text) => text.split(quoted(runnerComponentFrom(from))).join(quoted(runnerComponentFrom(to))),
    },
    flux: {
      path: appFluxFile(ref),
      rewrite: (text) => text.split(`path: ${quoted(`./${from}`)}`).join(`path: ${quoted(`./${to}`)}`),
    },
  };
}
