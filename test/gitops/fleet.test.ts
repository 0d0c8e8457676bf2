import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFluxFile } from '../../src/domain/layout.js';
import { formatCommitMessage } from '../../src/domain/trailers.js';
import { TEMPLATE_VERSION } from '../../src/render/index.js';
import { commitsOf, freshClone, fsckStrict, gitOut, kustomizeBuild } from '../support/git-cli.js';
import { toolOrSkip } from '../support/tools.js';
import { alice, bob, createFixture, helloApp, operator } from './setup.js';

type Fixture = Awaited<ReturnType<typeof createFixture>>;
const haveKubectl = toolOrSkip('kubectl', ['version', '--client']);
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const show = (f: Fixture, path: string, rev = 'main') => gitOut(f.gitdir, ['show', `${rev}:${path}`]);
const exists = (f: Fixture, path: string) => gitOut(f.gitdir, ['ls-tree', '-r', '--name-only', 'main']).split('\n').includes(path);

describe('fleet operations', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture();
    await f.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: f.nextRequest() });
    await f.gitops.deploy(helloApp('bob', 'blog'), { actor: bob, requestId: f.nextRequest() });
  });
  afterEach(async () => f.close());

  it('pins the runner fleet-wide in one line of components/runner, and per app where asked', async () => {
    await f.gitops.pinRunner({ image: 'ghcr.io/acme/runner', digest: DIGEST_A }, undefined, { actor: operator, requestId: f.nextRequest() });
    expect(gitOut(f.gitdir, ['diff', '--name-only', 'main~1', 'main']).trim()).toBe('components/runner/kustomization.yaml');
    expect(show(f, 'components/runner/kustomization.yaml')).toContain(DIGEST_A);
    await f.gitops.pinRunner({ image: 'ghcr.io/acme/runner', digest: DIGEST_B }, [{ tenant: 'bob', app: 'blog' }], {
      actor: operator,
      requestId: f.nextRequest(),
    });
    expect(show(f, 'tenants/81/bob/blog/kustomization.yaml')).toContain(DIGEST_B);
    expect(show(f, 'tenants/81/bob/blog/berth.yaml')).toContain(DIGEST_B);
    // A later fleet pin leaves the app with its own pin alone, and a deploy keeps it.
    await f.gitops.pinRunner({ image: 'ghcr.io/acme/runner', digest: `sha256:${'c'.repeat(64)}` }, undefined, { actor: operator, requestId: f.nextRequest() });
    await f.gitops.deploy(helloApp('bob', 'blog', 'again'), { actor: bob, requestId: f.nextRequest() });
    expect(show(f, 'tenants/81/bob/blog/kustomization.yaml')).toContain(DIGEST_B);
    expect(gitOut(f.gitdir, ['log', '-1', '--format=%B', 'main~1'])).toContain('Berth-Action: pin-runner');
  });

  it('rejects a runner pin that is not by digest', async () => {
    await expect(
      f.gitops.pinRunner({ image: 'ghcr.io/acme/runner', digest: 'latest' }, undefined, { actor: operator, requestId: f.nextRequest() }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      f.gitops.pinRunner({ image: 'ghcr.io/acme/runner:latest', digest: DIGEST_A }, undefined, { actor: operator, requestId: f.nextRequest() }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('sleeps and wakes apps by replicas, recording since when', async () => {
    await f.gitops.sleep([{ tenant: 'alice', app: 'todo' }], { actor: operator, requestId: f.nextRequest() });
    expect(show(f, 'tenants/2b/alice/todo/deployment.yaml')).toMatch(/replicas: 0/);
    expect(show(f, 'tenants/2b/alice/todo/berth.yaml')).toMatch(/asleepSince/);
    await f.gitops.wake([{ tenant: 'alice', app: 'todo' }], { actor: operator, requestId: f.nextRequest() });
    expect(show(f, 'tenants/2b/alice/todo/deployment.yaml')).toMatch(/replicas: 1/);
    expect(show(f, 'tenants/2b/alice/todo/berth.yaml')).not.toMatch(/asleepSince/);
  });

  it('delete removes the app folder and its Flux Kustomization so Flux prunes it; the last app of a tenant takes the tenant entry along', async () => {
    const fluxFile = appFluxFile({ tenant: 'bob', app: 'blog' });
    expect(exists(f, fluxFile)).toBe(true);
    await f.gitops.delete([{ tenant: 'bob', app: 'blog' }], { actor: bob, requestId: f.nextRequest() });
    const files = gitOut(f.gitdir, ['ls-tree', '-r', '--name-only', 'main']);
    expect(files).not.toContain('tenants/81/bob/');
    expect(files).not.toContain('/bob/');
    expect(files).toContain('tenants/2b/alice/todo/');
    await expect(f.gitops.delete([{ tenant: 'bob', app: 'blog' }], { actor: bob, requestId: f.nextRequest() })).rejects.toMatchObject({
      code: 'not_found',
    });
    fsckStrict(f.gitdir);
  });

  it('cleanup sleeps apps inactive for N hours in one commit and later deletes long sleepers in another; unknown activity is left alone', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    let now = t0;
    const clocked = await createFixture();
    try {
      const gitops = (await import('../../src/gitops/gitops.js')).createGitOps({
        git: clocked.git,
        context: {
          templates: (await import('../../src/adapters/templates/template-files.js')).defaultTemplates(),
          settings: (await import('../../src/render/settings.js')).DEFAULT_RENDER_SETTINGS,
        },
        now: () => now,
      });
      for (const app of ['old', 'fresh', 'unknown']) {
        await gitops.deploy(helloApp('alice', app), { actor: alice, requestId: clocked.nextRequest() });
      }
      const activity = new Map([
        ['alice/old', t0],
        ['alice/fresh', t0],
      ]);
      now = new Date(t0.getTime() + 30 * 3_600_000);
      activity.set('alice/fresh', new Date(now.getTime() - 3_600_000));
      const preview = await gitops.cleanup(activity, { actor: operator, requestId: 'c1', dryRun: true });
      expect(preview.plan.sleep.map((a) => a.app)).toEqual(['old']);
      const before = commitsOf(clocked.gitdir).length;
      const run = await gitops.cleanup(activity, { actor: operator, requestId: 'c1' });
      expect(run.sleep?.status).toBe('committed');
      expect(commitsOf(clocked.gitdir)).toHaveLength(before + 1);
      expect(gitOut(clocked.gitdir, ['log', '-1', '--format=%B', 'main'])).toContain('Berth-Action: cleanup');
      // Retried with the same request id: nothing new.
      expect((await gitops.cleanup(activity, { actor: operator, requestId: 'c1' })).sleep?.status).toBe('duplicate');
      now = new Date(now.getTime() + 8 * 24 * 3_600_000);
      const second = await gitops.cleanup(activity, { actor: operator, requestId: 'c2' });
      expect(second.plan.delete.map((a) => a.app)).toEqual(['old']);
      expect(second.plan.sleep.map((a) => a.app)).toEqual(['fresh']);
      const files = gitOut(clocked.gitdir, ['ls-tree', '-r', '--name-only', 'main']);
      expect(files).not.toContain('tenants/2b/alice/old/');
      expect(files).toContain('tenants/2b/alice/unknown/');
    } finally {
      await clocked.close();
    }
  });

  it('upgrade lists apps on older template versions (dry run) and re-renders them in one commit', async () => {
    // Pretend alice/todo was rendered by an older Berth.
    const path = 'tenants/2b/alice/todo/berth.yaml';
    await f.git.apply({
      branch: 'main',
      requestId: 'downgrade',
      meta: {
        author: { name: 'test', email: 'test@example.com' },
        message: formatCommitMessage('older template', { action: 'upgrade', apps: ['alice/todo'], requestId: 'downgrade', actor: 'test' }),
      },
      plan: async (tree) => [{ path, content: (await tree.readFile(path))!.replace(`templateVersion: ${TEMPLATE_VERSION}`, 'templateVersion: 0') }],
    });
    expect(show(f, path)).toContain('templateVersion: 0');
    const preview = await f.gitops.upgrade({ actor: operator, requestId: f.nextRequest(), dryRun: true });
    expect(preview.outdated).toEqual([{ tenant: 'alice', app: 'todo', templateVersion: 0 }]);
    const done = await f.gitops.upgrade({ actor: operator, requestId: f.nextRequest() });
    expect(done.result?.status).toBe('committed');
    expect(show(f, path)).toContain(`templateVersion: ${TEMPLATE_VERSION}`);
    expect((await f.gitops.upgrade({ actor: operator, requestId: f.nextRequest(), dryRun: true })).outdated).toEqual([]);
  });

  describe.skipIf(!haveKubectl)('after every operation the repository still builds', () => {
    it('builds root and apps after pin, sleep and delete', async () => {
      await f.gitops.pinRunner({ image: 'ghcr.io/acme/runner', digest: DIGEST_B }, [{ tenant: 'bob', app: 'blog' }], {
        actor: operator,
        requestId: f.nextRequest(),
      });
      await f.gitops.sleep([{ tenant: 'alice', app: 'todo' }], { actor: operator, requestId: f.nextRequest() });
      const clone = freshClone(f.gitdir);
      kustomizeBuild(clone);
      const blog = kustomizeBuild(join(clone, 'tenants/81/bob/blog'));
      const image = (blog.find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec
        .containers[0]?.image;
      expect(image).toBe(`ghcr.io/acme/runner@${DIGEST_B}`);
      await f.gitops.delete([{ tenant: 'alice', app: 'todo' }], { actor: alice, requestId: f.nextRequest() });
      expect(kustomizeBuild(freshClone(f.gitdir)).length).toBe(1);
    });
  });
});
