/**
 * One row of `npm run bench -- --scale`, in a process of its own so that its
 * RSS is that of one Berth on one repository: `tsx bench/scale-row.ts
 * <gitdir> <apps> <tenants> [git|isomorphic-git]` prints one JSON line.
 */
import { createLocalGit } from '../src/adapters/git/index.js';
import { createGitOps } from '../src/gitops/gitops.js';
import { defaultTemplates } from '../src/adapters/templates/template-files.js';
import { DEFAULT_RENDER_SETTINGS } from '../src/render/settings.js';
import { benchApp } from './seed-apps.js';
import { percentile, timeMs } from './stats.js';

const [gitdir = '', appsText = '', tenantsText = '', packReads = 'git'] = process.argv.slice(2);
const apps = Number(appsText);
const perTenant = apps / Number(tenantsText);
const samples = 30;
const total = 1_000;
const committer = { name: 'Berth', email: 'berth@berth.invalid' };
const actor = { id: 'u-bench', username: 'bench', email: 'bench@berth.invalid' };

async function main(): Promise<void> {
  const git = createLocalGit({ gitdir, committer, packReads: packReads === 'isomorphic-git' || packReads === 'pack-index' ? packReads : 'git' });
  const gitops = createGitOps({ git, context: { templates: defaultTemplates(), settings: DEFAULT_RENDER_SETTINGS }, now: () => new Date() });
  let n = 0;
  // Spread over the fleet: consecutive deploys hit different tenants and groups.
  const deploy = async (tag: string) => {
    const spec = benchApp((n++ * 7919 + 1) % apps, tag, perTenant);
    const result = await gitops.deploy(
      { tenant: spec.tenant, app: spec.app, owner: spec.owner, entrypoint: spec.entrypoint, files: spec.files, env: spec.env },
      { actor, requestId: `${tag}-${n}` },
    );
    if (result.status !== 'committed') throw new Error(`deploy ${tag} did not commit: ${result.status}`);
  };
  const [firstMs] = await timeMs(() => deploy('first'));
  const rssAfterFirst = process.memoryUsage().rss;
  const commits: number[] = [];
  for (let s = 0; s < samples; s++) commits.push((await timeMs(() => deploy(`s${s}`)))[0]);
  const burst = () => Promise.all(Array.from({ length: 50 }, (_, k) => deploy(`c${k}`)));
  const [concurrent50Ms] = await timeMs(burst);
  while (n < total) await burst();
  const rss = process.memoryUsage().rss;
  await git.close();
  const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
  process.stdout.write(
    `${JSON.stringify({
      firstDeployMs: Math.round(firstMs),
      rssAfterFirstMiB: mib(rssAfterFirst),
      commitP50Ms: percentile(commits, 50),
      commitP95Ms: percentile(commits, 95),
      concurrent50Ms: Math.round(concurrent50Ms),
      deploys: n,
      rssMiB: mib(rss),
      heapMiB: mib(process.memoryUsage().heapUsed),
      externalMiB: mib(process.memoryUsage().external),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
