import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeployHandler } from '../../src/jobs/deploy-job.js';
import { enqueueDeployment } from '../../src/jobs/requests.js';
import { createJobRunner, type JobRunner } from '../../src/jobs/runner.js';
import { commitsOf } from '../support/git-cli.js';
import { commitsForRequest, createAppRecord, createJobsFixture, deployRequest, users, waitFor, type JobsFixture } from './support.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'crash-worker.ts');

/** Runs the crashing worker to its death and returns what it printed and the signal that ended it. */
function runCrashingWorker(f: JobsFixture, owner: string, leaseMs: number): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, f.dbPath, f.repo.gitdir, owner, String(leaseMs)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ out, signal });
    });
  });
}

describe('a worker killed with SIGKILL between its commit and recording it', () => {
  let f: JobsFixture;
  let runner: JobRunner | undefined;
  beforeEach(async () => {
    f = await createJobsFixture();
  });
  afterEach(async () => {
    await runner?.stop(2_000);
    runner = undefined;
    await f.close();
  });

  async function crashMidDeploy(owner: string, leaseMs: number) {
    const alice = users[0]!;
    await createAppRecord(f.store, alice, 'todo');
    const { deployment } = await enqueueDeployment(f.store, { request: deployRequest(alice, 'todo'), now: new Date() });
    const { out, signal } = await runCrashingWorker(f, owner, leaseMs);
    expect(signal, out).toBe('SIGKILL');
    expect(out).toContain(`committed ${deployment.id}`);
    // The commit is in Git, but neither the deployment nor the job know it.
    expect(commitsForRequest(f.repo.gitdir, deployment.id)).toHaveLength(1);
    expect(await f.store.deployments.get(deployment.id)).toMatchObject({ status: 'queued' });
    expect(await f.store.jobs.get(deployment.id)).toMatchObject({ state: 'running', leaseOwner: owner, attempts: 1 });
    return deployment.id;
  }

  function startRunner(owner: string, releaseOwnLeasesOnStart: boolean) {
    runner = createJobRunner({
      jobs: f.store.jobs,
      handlers: { deploy: createDeployHandler({ store: f.store, gitops: f.repo.gitops }) },
      owner,
      pollMs: 20,
      releaseOwnLeasesOnStart,
    });
    return runner.start();
  }

  async function expectCommittedOnce(id: string) {
    const done = await waitFor(
      async () => {
        const deployment = await f.store.deployments.get(id);
        return deployment?.status === 'committed' ? deployment : undefined;
      },
      20_000,
      'the deployment to be committed',
    );
    expect(commitsForRequest(f.repo.gitdir, id)).toEqual([done.commit]);
    expect(commitsOf(f.repo.gitdir)).toHaveLength(2);
    expect(done.timeline.map((entry) => entry.stage)).toEqual(['validated', 'queued', 'committing', 'committing', 'committed']);
    expect(done.timeline.at(-1)?.detail).toBe('found the commit of an earlier attempt');
    expect((await f.store.apps.get('alice', 'todo'))?.liveCommit).toBe(done.commit);
    await waitFor(async () => (await f.store.jobs.get(id))?.state === 'done', 5_000, 'the job to be done');
    return done;
  }

  it('another worker reclaims the job when the lease expires, finds the commit, and records it: one commit', async () => {
    const id = await crashMidDeploy('crashed-worker', 1_000);
    await startRunner('new-worker', false);
    await expectCommittedOnce(id);
  });

  it('the same node restarting with its stable id takes the job back at once, without waiting for the lease', async () => {
    const id = await crashMidDeploy('node-restarting', 3_600_000);
    const restarted = Date.now();
    await startRunner('node-restarting', true);
    await expectCommittedOnce(id);
    expect(Date.now() - restarted).toBeLessThan(10_000);
  });
});
