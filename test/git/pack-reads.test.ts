import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalGit, type LocalGit } from '../../src/adapters/git/index.js';
import { createGitOps } from '../../src/gitops/gitops.js';
import { defaultTemplates } from '../../src/adapters/templates/template-files.js';
import { DEFAULT_RENDER_SETTINGS } from '../../src/render/settings.js';
import { alice, createFixture, helloApp } from '../gitops/setup.js';
import { fsckStrict, gitOut } from '../support/git-cli.js';

type Fixture = Awaited<ReturnType<typeof createFixture>>;
const committer = { name: 'Berth', email: 'berth@example.com' };

describe.each(['git', 'pack-index'] as const)('reading packed objects (%s)', (mode) => {
  let f: Fixture;
  const opened: LocalGit[] = [];
  const open = (packReads: 'git' | 'pack-index' | 'isomorphic-git') => {
    const git = createLocalGit({ gitdir: f.gitdir, committer, packReads });
    opened.push(git);
    return git;
  };
  beforeEach(async () => {
    f = await createFixture();
    for (let i = 0; i < 4; i++) await f.gitops.deploy(helloApp('alice', `app-${i}`), { actor: alice, requestId: f.nextRequest() });
    // A commit by hand with an unusual time zone and a multi-line header, to compare the parsers.
    const tree = gitOut(f.gitdir, ['rev-parse', 'main^{tree}']).trim();
    const raw = `tree ${tree}\nparent ${gitOut(f.gitdir, ['rev-parse', 'main']).trim()}\nauthor A <a@example.com> 1700000000 -0130\ncommitter C <c@example.com> 1700000001 -0000\nmergetag object x\n type commit\n\nby hand\n\nBerth-Action: deploy\n`;
    const sha = execFileSync('git', [`--git-dir=${f.gitdir}`, 'hash-object', '-t', 'commit', '-w', '--stdin'], { input: raw, encoding: 'utf8' }).trim();
    gitOut(f.gitdir, ['update-ref', 'refs/heads/main', sha]);
    gitOut(f.gitdir, ['gc', '--quiet', '--prune=now']);
    expect(gitOut(f.gitdir, ['count-objects', '-v'])).toMatch(/^count: 0$/m);
    // The apps' files are alike, so the pack holds deltas: reading resolves them.
    const pack = gitOut(f.gitdir, ['rev-parse', '--git-path', 'objects/pack']).trim();
    const idx = execFileSync('sh', ['-c', `ls "${f.gitdir}/${pack.replace(/^.*objects/, 'objects')}"/*.idx`], { encoding: 'utf8' }).trim();
    expect(gitOut(f.gitdir, ['verify-pack', '-v', idx])).toMatch(/chain length = [1-9]/);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((git) => git.close()));
    await f.close();
  });

  it('reads what isomorphic-git reads from the packs: log, commits, changes, diffs, files', async () => {
    const viaGit = open(mode);
    const viaIso = open('isomorphic-git');
    const [logGit, logIso] = await Promise.all([viaGit.log('main'), viaIso.log('main')]);
    expect(logGit).toEqual(logIso);
    expect(logGit[0]?.author).toMatchObject({ name: 'A', timestamp: 1_700_000_000, timezoneOffset: 90 });
    expect(Object.is(logGit[0]?.committer.timezoneOffset, -0)).toBe(Object.is(logIso[0]?.committer.timezoneOffset, -0));
    for (const commit of logGit) {
      expect(await viaGit.changesOf(commit.sha)).toEqual(await viaIso.changesOf(commit.sha));
    }
    const head = logGit[0]?.sha ?? '';
    expect(await viaGit.diff(logGit.at(-1)?.sha, head)).toBe(await viaIso.diff(logGit.at(-1)?.sha, head));
    const tree = await viaGit.tree(head);
    expect(await tree.readFiles('tenants')).toEqual(await (await viaIso.tree(head)).readFiles('tenants'));
    await expect(viaGit.readCommit('0'.repeat(40))).rejects.toThrow(/not found/);
  });

  it('keeps committing and reading while git gc replaces the packs under it', async () => {
    const git = open(mode);
    const gitops = createGitOps({ git, context: { templates: defaultTemplates(), settings: DEFAULT_RENDER_SETTINGS }, now: () => new Date() });
    for (let round = 0; round < 3; round++) {
      const deploys = Array.from({ length: 5 }, (_, i) =>
        gitops.deploy(helloApp('bob', `app-${i}`, `round ${round}`), { actor: alice, requestId: `r${round}-${i}` }),
      );
      gitOut(f.gitdir, ['gc', '--quiet', '--prune=now']);
      for (const result of await Promise.all(deploys)) expect(result.status).toBe('committed');
      gitOut(f.gitdir, ['gc', '--quiet', '--prune=now']);
      expect((await gitops.readApp({ tenant: 'bob', app: 'app-4' }))?.env).toEqual({ GREETING: `round ${round}` });
    }
    fsckStrict(f.gitdir);
  });
});
