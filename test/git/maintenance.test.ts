import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRepoMaintenance } from '../../src/adapters/git/maintenance.js';
import { commitsOf, fsckStrict, gitOut } from '../support/git-cli.js';
import { alice, createFixture, helloApp } from '../gitops/setup.js';

type Fixture = Awaited<ReturnType<typeof createFixture>>;

function countObjects(gitdir: string): { loose: number; packs: number } {
  const fields = Object.fromEntries(
    gitOut(gitdir, ['count-objects', '-v'])
      .trim()
      .split('\n')
      .map((line) => line.split(': ') as [string, string]),
  );
  return { loose: Number(fields.count), packs: Number(fields.packs) };
}

describe('apps repository maintenance', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture();
  });
  afterEach(async () => f.close());

  it('packs the loose objects Berth writes, and Berth keeps reading and writing the packed repository', async () => {
    for (let i = 0; i < 6; i++) await f.gitops.deploy(helloApp('alice', `app-${i}`), { actor: alice, requestId: f.nextRequest() });
    expect(countObjects(f.gitdir).loose).toBeGreaterThan(20);
    const idle = createRepoMaintenance({ gitdir: f.gitdir, everyMs: 60_000, looseThreshold: 100_000 });
    await idle.run();
    expect(countObjects(f.gitdir).packs).toBe(0);
    const maintenance = createRepoMaintenance({ gitdir: f.gitdir, everyMs: 60_000, looseThreshold: 20 });
    await maintenance.run();
    const after = countObjects(f.gitdir);
    expect(after.loose).toBeLessThan(20);
    expect(after.packs).toBeGreaterThanOrEqual(1);
    // The adapter reads what now sits in a pack and writes on top of it.
    expect((await f.gitops.readApp({ tenant: 'alice', app: 'app-0' }))?.files['main.py']).toContain('hello');
    await f.gitops.deploy(helloApp('alice', 'app-0', 'after gc'), { actor: alice, requestId: f.nextRequest() });
    expect(commitsOf(f.gitdir)).toHaveLength(8);
    fsckStrict(f.gitdir);
    maintenance.stop();
  });

  it('also packs a few loose objects once they take more disk than allowed', async () => {
    for (let i = 0; i < 3; i++) await f.gitops.deploy(helloApp('alice', `app-${i}`), { actor: alice, requestId: f.nextRequest() });
    gitOut(f.gitdir, ['gc', '--quiet']);
    await f.gitops.deploy(helloApp('alice', 'big', 'x'.repeat(200_000)), { actor: alice, requestId: f.nextRequest() });
    const before = countObjects(f.gitdir);
    expect(before.loose).toBeLessThan(40);
    await createRepoMaintenance({ gitdir: f.gitdir, everyMs: 60_000, looseThreshold: 100_000, looseBytesThreshold: 1024 * 1024 }).run();
    expect(countObjects(f.gitdir).loose).toBe(before.loose);
    await createRepoMaintenance({ gitdir: f.gitdir, everyMs: 60_000, looseThreshold: 100_000, looseBytesThreshold: 4 * 1024 }).run();
    const after = countObjects(f.gitdir);
    expect(after.loose).toBe(0);
    expect((await f.gitops.readApp({ tenant: 'alice', app: 'big' }))?.env.GREETING).toHaveLength(200_000);
    fsckStrict(f.gitdir);
  });
});
