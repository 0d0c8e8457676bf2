import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, createLocalGit, RemoteRejectedError } from '../../src/adapters/git/index.js';
import type { LocalGit, LocalGitOptions } from '../../src/adapters/git/index.js';
import { ConflictError, GitUnavailableError } from '../../src/errors.js';
import { BERTH, changeRequest, commitOf, gitEnv, gitIn, initBare, runGit, seedCommit, tempDir } from '../support/git-fixtures.js';
import type { TempDir } from '../support/git-fixtures.js';
import { startGitHttpServer, startSilentServer } from '../support/git-http-server.js';
import type { GitHttpServer } from '../support/git-http-server.js';
import { toolOrSkip } from '../support/tools.js';

const execFileAsync = promisify(execFile);
const CREDENTIALS = { username: 'berth', password: 's3cret-token' };

/** git CLI without blocking the event loop: the HTTP server runs in this process. */
async function gitAsync(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { env: gitEnv() });
  return stdout.trim();
}

describe.skipIf(!toolOrSkip('git'))('git adapter: mirroring a remote over smart HTTP', () => {
  let dir: TempDir;
  let server: GitHttpServer;
  let remoteGitdir: string;
  let url: string;
  let seeded: string;
  const adapters: LocalGit[] = [];
  let replicas = 0;

  const replica = (options: Partial<LocalGitOptions> = {}): LocalGit => {
    const gitdir = initBare(join(dir.path, 'replicas'), `r${(replicas += 1)}.git`);
    const adapter = createLocalGit({ gitdir, committer: BERTH, remote: { url, auth: CREDENTIALS, timeoutMs: 5_000 }, ...options });
    adapters.push(adapter);
    return adapter;
  };

  /** Set by a test to act when the adapter's pack upload reaches the server. */
  let onPackUpload: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dir = tempDir();
    server = await startGitHttpServer({
      root: join(dir.path, 'remote'),
      auth: CREDENTIALS,
      beforeRelay: async ({ method, url: path }) => {
        if (method === 'POST' && path.endsWith('/git-receive-pack') && onPackUpload) {
          const act = onPackUpload;
          onPackUpload = undefined;
          await act();
        }
      },
    });
  });

  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  beforeEach(() => {
    const name = `apps-${Math.random().toString(36).slice(2, 8)}.git`;
    remoteGitdir = initBare(join(dir.path, 'remote'), name);
    gitIn(remoteGitdir, 'config', 'http.receivepack', 'true');
    seeded = seedCommit(remoteGitdir, 'main', [
      ['tenants/alice/todo/code/main.py', 'v0\n'],
      ['README.md', 'apps\n'],
    ]);
    url = `${server.url}/${name}`;
  });

  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((adapter) => adapter.close()));
  });

  it('fetches, commits on the remote head and pushes; the local branch follows; git clone sees it', async () => {
    const adapter = replica();
    const outcome = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'tenants/alice/todo/code/main.py', content: 'v1\n' }] }));
    const commit = commitOf(outcome);
    expect(gitIn(remoteGitdir, 'rev-parse', 'main')).toBe(commit);
    expect(gitIn(remoteGitdir, 'rev-parse', 'main~1')).toBe(seeded);
    expect(await adapter.head('main')).toBe(commit);
    expect(gitIn(remoteGitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    const clone = join(dir.path, `clone-${Date.now()}`);
    const authed = url.replace('http://', `http://${CREDENTIALS.username}:${CREDENTIALS.password}@`);
    await gitAsync(['clone', '--quiet', authed, clone]);
    expect(runGit(['-C', clone, 'show', 'HEAD:tenants/alice/todo/code/main.py'])).toBe('v1');
    expect(runGit(['-C', clone, 'log', '--format=%(trailers:key=Berth-Request,valueonly,separator=)', '-1'])).toBe('r-1');
  });

  it('lands on top of a push the git CLI made while the adapter was planning', async () => {
    const adapter = replica();
    const work = join(dir.path, `work-${Date.now()}`);
    const authed = url.replace('http://', `http://${CREDENTIALS.username}:${CREDENTIALS.password}@`);
    await gitAsync(['clone', '--quiet', authed, work]);
    let plans = 0;
    const outcome = await adapter.apply(
      changeRequest({
        requestId: 'r-1',
        plan: async (tree) => {
          plans += 1;
          if (plans === 1) {
            await gitAsync(['-C', work, 'commit', '--quiet', '--allow-empty', '-m', 'pushed by an operator']);
            await gitAsync(['-C', work, 'push', '--quiet', 'origin', 'main']);
          }
          return [{ path: 'seen-head.txt', content: tree.commit ?? '' }];
        },
      }),
    );
    expect(plans).toBe(2);
    expect(gitIn(remoteGitdir, 'log', '--format=%s', 'main').split('\n')).toEqual(['deploy alice/todo: r-1', 'pushed by an operator', 'seed']);
    expect(gitIn(remoteGitdir, 'rev-parse', 'main')).toBe(commitOf(outcome));
    expect(gitIn(remoteGitdir, 'show', 'main:seen-head.txt')).toBe(gitIn(remoteGitdir, 'rev-parse', 'main~1'));
  });

  it('treats a push the server refuses because the branch moved after the advertisement as a moved head', async () => {
    const adapter = replica();
    let plans = 0;
    onPackUpload = async () => {
      // Lands between the adapter's ref advertisement and its update: only the server's own check can catch it.
      const head = await gitAsync([`--git-dir=${remoteGitdir}`, 'rev-parse', 'main']);
      const racing = await gitAsync([`--git-dir=${remoteGitdir}`, 'commit-tree', `${head}^{tree}`, '-p', head, '-m', 'racing push']);
      await gitAsync([`--git-dir=${remoteGitdir}`, 'update-ref', 'refs/heads/main', racing, head]);
    };
    const outcome = await adapter.apply(
      changeRequest({
        requestId: 'r-1',
        plan: async () => {
          plans += 1;
          return [{ path: 'a.txt', content: 'a\n' }];
        },
      }),
    );
    expect(plans).toBe(2);
    expect(gitIn(remoteGitdir, 'log', '--format=%s', 'main').split('\n')).toEqual(['deploy alice/todo: r-1', 'racing push', 'seed']);
    expect(gitIn(remoteGitdir, 'rev-parse', 'main')).toBe(commitOf(outcome));
    expect(await adapter.head('main')).toBe(commitOf(outcome));
  });

  it('groups concurrent requests into few pushes, and another replica sees them as duplicates', async () => {
    const first = replica();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => first.apply(changeRequest({ requestId: `r-${i}`, changes: [{ path: `apps/${i}.txt`, content: `${i}\n` }] }))),
    );
    expect(outcomes.every((outcome) => outcome.status === 'committed')).toBe(true);
    expect(gitIn(remoteGitdir, 'rev-list', '--count', 'main')).toBe('21');
    const pushes = server.requests.filter((request) => request.startsWith('POST') && request.includes(`${url.split('/').pop()}/git-receive-pack`));
    expect(pushes.length).toBeLessThanOrEqual(3);
    const second = replica();
    expect(await second.apply(changeRequest({ requestId: 'r-7', changes: [{ path: 'apps/7.txt', content: 'again\n' }] }))).toEqual({
      status: 'duplicate',
      commit: outcomes[7]?.commit,
    });
    expect(gitIn(remoteGitdir, 'rev-list', '--count', 'main')).toBe('21');
  });

  it('creates, moves and deletes review branches on the remote', async () => {
    const adapter = replica();
    const branch = 'berth/alice/todo/42';
    expect(await adapter.head('main')).toBe(seeded);
    await adapter.updateBranch(branch, seeded, undefined);
    const outcome = await adapter.apply(changeRequest({ branch, requestId: 'r-1', changes: [{ path: 'x.txt', content: 'x' }] }));
    expect(gitIn(remoteGitdir, 'rev-parse', branch)).toBe(commitOf(outcome));
    await expect(adapter.updateBranch(branch, seeded, seeded)).rejects.toBeInstanceOf(ConflictError);
    await adapter.updateBranch('main', commitOf(outcome), seeded);
    expect(gitIn(remoteGitdir, 'rev-parse', 'main')).toBe(commitOf(outcome));
    await adapter.deleteBranch(branch);
    expect(gitIn(remoteGitdir, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
    expect(await adapter.head(branch)).toBeUndefined();
    await adapter.deleteBranch(branch);
  });

  it('seeds an empty remote from a local commit with updateBranch, then writes on top', async () => {
    const emptyName = `empty-${Math.random().toString(36).slice(2, 8)}.git`;
    const emptyRemote = initBare(join(dir.path, 'remote'), emptyName);
    gitIn(emptyRemote, 'config', 'http.receivepack', 'true');
    const gitdir = initBare(join(dir.path, 'replicas'), `r${(replicas += 1)}.git`);
    const skeleton = seedCommit(
      gitdir,
      'main',
      [
        ['kustomization.yaml', 'resources: []\n'],
        ['apps/README.md', 'apps\n'],
      ],
      'skeleton',
    );
    const adapter = createLocalGit({ gitdir, committer: BERTH, remote: { url: `${server.url}/${emptyName}`, auth: CREDENTIALS } });
    adapters.push(adapter);
    await adapter.updateBranch('main', skeleton, undefined);
    expect(gitIn(emptyRemote, 'rev-parse', 'main')).toBe(skeleton);
    const outcome = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'apps/a.txt', content: 'a\n' }] }));
    expect(gitIn(emptyRemote, 'log', '--format=%H', 'main').split('\n')).toEqual([commitOf(outcome), skeleton]);
    expect(gitIn(emptyRemote, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('moves credentials written into the URL out of it: git config and messages never carry them', async () => {
    const gitdir = initBare(join(dir.path, 'replicas'), `r${(replicas += 1)}.git`);
    const withSecret = url.replace('http://', `http://${CREDENTIALS.username}:${CREDENTIALS.password}@`);
    const adapter = createLocalGit({ gitdir, committer: BERTH, remote: { url: withSecret } });
    adapters.push(adapter);
    expect((await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'a', content: 'a' }] }))).status).toBe('committed');
    expect(gitIn(gitdir, 'config', 'remote.origin.url')).toBe(url);
  });

  it('fails clearly on wrong credentials, without leaking them', async () => {
    const adapter = replica({ remote: { url, auth: { username: 'berth', password: 'wrong-password' }, timeoutMs: 5_000 } });
    const failure = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'a', content: 'a' }] })).catch((error: unknown) => error);
    if (!(failure instanceof RemoteRejectedError)) throw new Error(`expected RemoteRejectedError, got ${String(failure)}`);
    expect(failure.message).toMatch(/credentials.*401/);
    expect(JSON.stringify({ message: failure.message, details: failure.details, stack: failure.stack })).not.toContain('wrong-password');
    expect(gitIn(remoteGitdir, 'rev-parse', 'main')).toBe(seeded);
  });
});

describe.skipIf(!toolOrSkip('git'))('git adapter: a remote that never answers', () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let dir: TempDir;

  beforeAll(async () => {
    silent = await startSilentServer();
    dir = tempDir();
  });

  afterAll(async () => {
    await silent.close();
    dir.remove();
  });

  it('times out every HTTP request with a GitUnavailableError', async () => {
    const client = createHttpClient(200);
    const started = performance.now();
    await expect(client.request({ url: `${silent.url}/apps.git/info/refs?service=git-upload-pack` })).rejects.toBeInstanceOf(GitUnavailableError);
    expect(performance.now() - started).toBeLessThan(2_000);
    client.close();
  });

  it('rejects an apply with a GitUnavailableError within the timeout, and writes nothing', async () => {
    const gitdir = initBare(dir.path);
    const adapter = createLocalGit({ gitdir, committer: BERTH, remote: { url: `${silent.url}/apps.git`, timeoutMs: 300, maxAttempts: 2 }, backoffMaxMs: 20 });
    const started = performance.now();
    const failure = await adapter.apply(changeRequest({ requestId: 'r-1', changes: [{ path: 'a', content: 'a' }] })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitUnavailableError);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(await adapter.head('main')).toBeUndefined();
    await adapter.close();
  });
});
