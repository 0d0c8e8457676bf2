import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalGit } from '../../src/adapters/git/index.js';
import type { LocalGit } from '../../src/adapters/git/index.js';
import { BERTH, changeRequest, gitIn, initBare, seedCommit, tempDir } from '../support/git-fixtures.js';
import type { TempDir } from '../support/git-fixtures.js';
import { toolOrSkip } from '../support/tools.js';

const APPS = 2_000;
const FILES = ['berth.yaml', 'kustomization.yaml', 'deployment.yaml', 'service.yaml', 'code/main.py'];
const tenantOf = (app: number) => `t${app % 200}`;
const appDir = (app: number) => `tenants/${tenantOf(app)}/app-${app}`;

describe.skipIf(!toolOrSkip('git'))(`git adapter on a packed repository of ${APPS} apps`, () => {
  let dir: TempDir;
  let gitdir: string;
  let adapter: LocalGit;

  beforeAll(() => {
    dir = tempDir();
    gitdir = initBare(dir.path);
    const files: Array<[string, string]> = [];
    for (let app = 0; app < APPS; app++) {
      for (const file of FILES) files.push([`${appDir(app)}/${file}`, `# ${appDir(app)}/${file}\n${'key: value\n'.repeat(10)}`]);
    }
    seedCommit(gitdir, 'main', files);
    gitIn(gitdir, 'gc', '--quiet');
    adapter = createLocalGit({ gitdir, committer: BERTH });
  });

  afterAll(async () => {
    await adapter.close();
    dir.remove();
  });

  // How long a commit takes is the bench's to measure (npm run bench: render+commit rows at 100-10,000 apps);
  // here, what keeps it fast on a big repository: each commit writes only the objects on the changed path.
  it('commits one app change writing only the objects on its path, touching only that app', async () => {
    const looseObjects = () => Number(/^count: (\d+)$/m.exec(gitIn(gitdir, 'count-objects', '-v'))?.[1]);
    expect(looseObjects()).toBe(0);
    for (let sample = 0; sample < 20; sample++) {
      const app = (sample * 397) % APPS;
      const path = `${appDir(app)}/code/main.py`;
      const before = looseObjects();
      const outcome = await adapter.apply(
        changeRequest({ requestId: `s-${sample}`, plan: async (tree) => [{ path, content: `${await tree.readFile(path)}# ${sample}\n` }] }),
      );
      expect(outcome.status).toBe('committed');
      // One commit, one blob, and the five trees from the root down to code/: nothing else is rewritten.
      expect(looseObjects() - before).toBe(7);
    }
    expect(gitIn(gitdir, 'diff-tree', '-r', '--name-only', '--no-commit-id', 'main')).toBe(`${appDir((19 * 397) % APPS)}/code/main.py`);
    expect(gitIn(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });
});
