import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { MAX_NAME_LENGTH } from '../../src/domain/names.js';
import { appSecretName, tenantNamespace } from '../../src/render/index.js';
import { createLocalGit } from '../../src/adapters/git/index.js';
import { initAppsRepo } from '../../src/adapters/git/init-repo.js';
import { createGitOps } from '../../src/gitops/gitops.js';
import { defaultTemplates } from '../../src/adapters/templates/template-files.js';
import type { RenderSettings } from '../../src/render/settings.js';
import { encryptSecretManifest } from '../../src/secrets/sops.js';
import { loadStarters } from '../../src/starters/index.js';
import { alice, helloApp, operator, SKELETON } from '../gitops/setup.js';

/** The longest names the rule allows, so every derived name (host, Flux name, namespace, labels) is at its maximum. */
export const LONGEST = { tenant: `l${'o'.repeat(MAX_NAME_LENGTH - 2)}t`, app: `a${'p'.repeat(MAX_NAME_LENGTH - 4)}-99` };

/**
 * An apps repository as Berth leaves it after real work: every starter
 * deployed, env, a SOPS-encrypted secret, a fleet pin and an app's own pin,
 * an app asleep, and an app with the longest names. Returns a checkout.
 */
export async function generateAppsRepo(settings: RenderSettings): Promise<{ dir: string; close(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'berth-schemas-'));
  const gitdir = join(root, 'apps.git');
  await initAppsRepo({ skeletonDir: SKELETON, gitdir, author: { name: 'Berth', email: 'berth@example.com' } });
  const git = createLocalGit({ gitdir, committer: { name: 'Berth', email: 'berth@example.com' } });
  const f = { gitops: createGitOps({ git, context: { templates: defaultTemplates(), settings }, now: () => new Date() }) };
  let request = 0;
  const call = (actor = alice) => ({ actor, requestId: `req-${++request}` });
  try {
    await f.gitops.pinRunner({ image: 'ghcr.io/berth-dev/runner', digest: `sha256:${'3c'.repeat(32)}` }, undefined, call(operator));
    for (const starter of loadStarters()) {
      await f.gitops.deploy(
        { tenant: 'alice', app: starter.id, owner: 'alice', entrypoint: starter.entrypoint, files: starter.files, env: { GREETING: 'hi' } },
        call(),
      );
    }
    const secretRef = { tenant: 'carol', app: 'vault' };
    const recipient = await identityToRecipient(await generateX25519Identity());
    const secretSopsYaml = await encryptSecretManifest({
      name: appSecretName(secretRef),
      namespace: tenantNamespace(secretRef.tenant, settings),
      values: { API_TOKEN: 'not a real token' },
      recipients: [recipient],
    });
    await f.gitops.deploy({ ...helloApp('carol', 'vault'), secretEnv: ['API_TOKEN'], secretSopsYaml }, call());
    await f.gitops.pinRunner({ image: 'ghcr.io/berth-dev/runner-canary', digest: `sha256:${'d4'.repeat(32)}` }, [secretRef], call(operator));
    await f.gitops.deploy(helloApp('bob', 'sleepy'), call());
    await f.gitops.sleep([{ tenant: 'bob', app: 'sleepy' }], call(operator));
    await f.gitops.deploy(helloApp(LONGEST.tenant, LONGEST.app), call());
    execFileSync('git', ['clone', '--quiet', gitdir, join(root, 'checkout')], { timeout: 60_000 });
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  } finally {
    await git.close();
  }
  return { dir: join(root, 'checkout'), close: () => rmSync(root, { recursive: true, force: true }) };
}
