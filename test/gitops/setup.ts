import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalGit } from '../../src/adapters/git/index.js';
import { initAppsRepo } from '../../src/adapters/git/init-repo.js';
import { createGitOps } from '../../src/gitops/gitops.js';
import type { Actor } from '../../src/gitops/operation.js';
import { defaultTemplates } from '../../src/adapters/templates/template-files.js';
import { DEFAULT_RENDER_SETTINGS } from '../../src/render/settings.js';
import type { DeployInput } from '../../src/gitops/operations/deploy.js';

export const alice: Actor = { id: 'u-alice', username: 'alice', email: 'alice@example.com' };
export const bob: Actor = { id: 'u-bob', username: 'bob', email: 'bob@example.com' };
export const operator: Actor = { id: 'u-ops', username: 'olga', email: 'olga@example.com' };

export const SKELETON = join(import.meta.dirname, '..', '..', 'apps-repo');

/** A fresh apps repository from the skeleton, and the GitOps core on it. */
export async function createFixture(options: { maxGroup?: number } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'berth-gitops-'));
  const gitdir = join(root, 'apps.git');
  await initAppsRepo({ skeletonDir: SKELETON, gitdir, author: { name: 'Berth', email: 'berth@example.com' } });
  const git = createLocalGit({
    gitdir,
    committer: { name: 'Berth', email: 'berth@example.com' },
    ...(options.maxGroup ? { maxGroup: options.maxGroup } : {}),
  });
  const gitops = createGitOps({ git, context: { templates: defaultTemplates(), settings: DEFAULT_RENDER_SETTINGS }, now: () => new Date() });
  let request = 0;
  return {
    gitdir,
    git,
    gitops,
    /** A fresh request id per call, as the job queue would give. */
    nextRequest: () => `req-${++request}`,
    async close() {
      await git.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function helloApp(tenant: string, app: string, greeting = 'hello', extra: Partial<DeployInput> = {}): DeployInput {
  return {
    tenant,
    app,
    owner: tenant,
    entrypoint: 'main.py',
    files: {
      'main.py': `from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"message": "${greeting}"}\n`,
    },
    env: { GREETING: greeting },
    ...extra,
  };
}
