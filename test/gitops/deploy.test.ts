import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appDir, appFluxFile } from '../../src/domain/layout.js';
import { commitsOf, freshClone, fsckStrict, gitOut, kustomizeBuild } from '../support/git-cli.js';
import { toolOrSkip } from '../support/tools.js';
import { alice, createFixture, helloApp } from './setup.js';

type Fixture = Awaited<ReturnType<typeof createFixture>>;
const haveKubectl = toolOrSkip('kubectl', ['version', '--client']);

describe('deploy', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture();
  });
  afterEach(async () => f.close());

  it('writes one commit authored by the person, committed by Berth, with the trailers', async () => {
    const result = await f.gitops.deploy(helloApp('alice', 'todo', 'hi', { message: 'first version' }), {
      actor: alice,
      requestId: 'req-1',
    });
    expect(result.status).toBe('committed');
    const commits = commitsOf(f.gitdir);
    expect(commits).toHaveLength(2);
    const last = commits[1];
    expect(last?.author).toBe('alice <alice@example.com>');
    expect(last?.committer).toBe('Berth <berth@example.com>');
    expect(last?.message).toContain('deploy alice/todo: first version');
    const trailers = gitOut(f.gitdir, ['log', '-1', '--format=%(trailers:only,unfold)', 'main']);
    expect(trailers).toContain('Berth-Action: deploy');
    expect(trailers).toContain('Berth-App: alice/todo');
    expect(trailers).toContain('Berth-Request: req-1');
    expect(trailers).toContain('Berth-Actor: u-alice');
    fsckStrict(f.gitdir);
  });

  it('adds the app, its Flux Kustomization and the index entries, and changes nothing else', async () => {
    await f.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: f.nextRequest() });
    const changed = gitOut(f.gitdir, ['diff', '--name-status', 'main~1', 'main']).trim().split('\n');
    const paths = changed.map((line) => line.split('\t')[1]);
    expect(paths).toContain(`${appDir({ tenant: 'alice', app: 'todo' })}/code/main.py`);
    expect(paths).toContain(appFluxFile({ tenant: 'alice', app: 'todo' }));
    expect(paths).toContain('kustomization.yaml');
    expect(changed.every((line) => line.startsWith('A') || line.startsWith('M'))).toBe(true);
    expect(paths.filter((p) => p?.startsWith('components/'))).toEqual([]);
  });

  it('is idempotent per request id: a retry returns the first commit', async () => {
    const first = await f.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: 'same' });
    const again = await f.gitops.deploy(helloApp('alice', 'todo', 'changed'), { actor: alice, requestId: 'same' });
    expect(again).toEqual({ status: 'duplicate', commit: first.status === 'committed' ? first.commit : '' });
    expect(commitsOf(f.gitdir)).toHaveLength(2);
  });

  it('makes no empty commit when nothing changed', async () => {
    await f.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: f.nextRequest() });
    const again = await f.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: f.nextRequest() });
    expect(again.status).toBe('unchanged');
    expect(commitsOf(f.gitdir)).toHaveLength(2);
  });

  it('changes only the code file and nothing else when only code changed', async () => {
    await f.gitops.deploy(helloApp('alice', 'todo', 'one'), { actor: alice, requestId: f.nextRequest() });
    const app = helloApp('alice', 'todo', 'one');
    await f.gitops.deploy({ ...app, files: { 'main.py': `${app.files['main.py']}# tweak\n` } }, { actor: alice, requestId: f.nextRequest() });
    const changed = gitOut(f.gitdir, ['diff', '--name-only', 'main~1', 'main']).trim().split('\n');
    expect(changed).toEqual(['tenants/2b/alice/todo/code/main.py']);
  });

  it('keeps the owner an app was created with when someone else deploys it', async () => {
    await f.gitops.deploy(helloApp('alice', 'todo', 'one'), { actor: alice, requestId: f.nextRequest() });
    await f.gitops.deploy({ ...helloApp('alice', 'todo', 'two'), owner: 'admin' }, { actor: alice, requestId: f.nextRequest() });
    expect(gitOut(f.gitdir, ['show', 'main:tenants/2b/alice/todo/berth.yaml'])).toMatch(/owner: "?alice"?/);
  });

  it('dry run lists the changes and writes nothing', async () => {
    const head = gitOut(f.gitdir, ['rev-parse', 'main']).trim();
    const plan = await f.gitops.deploy(helloApp('alice', 'todo'), { actor: alice, requestId: f.nextRequest(), dryRun: true });
    expect(plan.status).toBe('planned');
    if (plan.status !== 'planned') return;
    expect(plan.changes).toContainEqual({ path: 'tenants/2b/alice/todo/code/main.py', change: 'add' });
    expect(plan.changes).toContainEqual({ path: 'kustomization.yaml', change: 'modify' });
    expect(gitOut(f.gitdir, ['rev-parse', 'main']).trim()).toBe(head);
  });

  it('refuses hostile names and paths before touching the repository', async () => {
    const head = gitOut(f.gitdir, ['rev-parse', 'main']).trim();
    const hostile = [
      { ...helloApp('alice', 'todo'), app: '../evil' },
      { ...helloApp('alice', 'todo'), tenant: 'Alice' },
      { ...helloApp('alice', 'todo'), app: 'a--b' },
      { ...helloApp('alice', 'todo'), app: 'x'.repeat(31) },
      { ...helloApp('alice', 'todo'), files: { '../main.py': 'x' }, entrypoint: '../main.py' },
      { ...helloApp('alice', 'todo'), files: { 'main.py': 'x', '.env': 'x' } },
      { ...helloApp('alice', 'todo'), files: { 'main.py': 'x', 'a/../../b.py': 'x' } },
      { ...helloApp('alice', 'todo'), entrypoint: 'missing.py' },
      { ...helloApp('alice', 'todo'), env: { BERTH_ALLOWED_IMPORTS: 'os' } },
      { ...helloApp('alice', 'todo'), env: { PORT: '1' } },
      { ...helloApp('alice', 'todo'), env: { 'lower-case': 'x' } },
      { ...helloApp('alice', 'todo'), env: { 'A\nB': 'x' } },
    ];
    for (const input of hostile) {
      await expect(async () => f.gitops.deploy(input, { actor: alice, requestId: f.nextRequest() })).rejects.toThrow();
    }
    expect(gitOut(f.gitdir, ['rev-parse', 'main']).trim()).toBe(head);
  });

  it('asks for the encrypted secret when secret variables are named without one', async () => {
    await expect(f.gitops.deploy(helloApp('alice', 'todo', 'x', { secretEnv: ['API_KEY'] }), { actor: alice, requestId: f.nextRequest() })).rejects.toThrow(
      /encrypted secret/,
    );
  });

  describe.skipIf(!haveKubectl)('builds in a fresh clone', () => {
    it('builds at the root, in the group and in the app folder; the Deployment mounts the hashed ConfigMap and runs the runner by digest', async () => {
      const files = {
        'main.py': 'from fastapi import FastAPI\nfrom lib.util import x\napp = FastAPI()\n',
        'lib/util.py': 'x = 1\n',
        'static/css/site.css': 'body { color: red }\n',
      };
      await f.gitops.deploy({ ...helloApp('alice', 'todo'), files }, { actor: alice, requestId: f.nextRequest() });
      const clone = freshClone(f.gitdir);
      const root = kustomizeBuild(clone);
      expect(root.map((o) => (o.metadata as { name: string }).name)).toHaveLength(1);
      const groupPath = appFluxFile({ tenant: 'alice', app: 'todo' }).split('/').slice(0, 3).join('/');
      const group = kustomizeBuild(join(clone, groupPath));
      expect(group.map((o) => o.kind).sort()).toContain('Kustomization');
      const objects = kustomizeBuild(join(clone, 'tenants/2b/alice/todo'));
      const configMap = objects.find((o) => o.kind === 'ConfigMap') as { metadata: { name: string }; data: Record<string, string> };
      expect(configMap.metadata.name).toMatch(/^todo-code-[a-z0-9]{10}$/);
      expect(Object.keys(configMap.data).every((key) => !key.includes('/'))).toBe(true);
      const deployment = objects.find((o) => o.kind === 'Deployment') as {
        spec: {
          template: {
            spec: { containers: Array<{ image: string }>; volumes: Array<{ configMap?: { name: string; items: Array<{ key: string; path: string }> } }> };
          };
        };
      };
      const pod = deployment.spec.template.spec;
      const component = readFileSync(join(clone, 'components/runner/kustomization.yaml'), 'utf8');
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(component)?.[1];
      expect(pod.containers[0]?.image).toBe(`ghcr.io/berth-dev/runner@${digest}`);
      const volume = pod.volumes.find((v) => v.configMap)?.configMap;
      expect(volume?.name).toBe(configMap.metadata.name);
      expect(volume?.items.map((item) => item.path).sort()).toEqual(['lib/util.py', 'main.py', 'static/css/site.css']);
    });
  });
});
