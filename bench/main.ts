/**
 * `npm run bench [-- --quick]`: render+commit latency of one deploy on apps
 * repositories of 100, 1,000 and 10,000 apps (loose objects and packed), the
 * same commit made with git CLI plumbing as the baseline, 50 concurrent
 * deploys with and without group commits, kustomize build times, and the
 * fairness of code validation under another user's burst.
 * `--scale` runs bench/scale.ts instead (10,000 to 100,000 apps; not in CI).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalGit } from '../src/adapters/git/index.js';
import { appDir, appFluxFile } from '../src/domain/layout.js';
import { createGitOps } from '../src/gitops/gitops.js';
import { renderApp } from '../src/render/index.js';
import { defaultTemplates } from '../src/adapters/templates/template-files.js';
import { DEFAULT_RENDER_SETTINGS } from '../src/render/settings.js';
import { commitWithPlumbing, git, seedWithFastImport, unpackAll } from './git-cli.js';
import { benchApp, renderBenchAppsInParallel, repoFilesOf } from './seed-apps.js';
import { benchRuntime } from './runtime.js';
import { runScale } from './scale.js';
import { benchService, prepareService } from './service.js';
import { benchValidationFairness } from './validation-fairness.js';
import { fmt, percentile, timeMs } from './stats.js';

const execFileAsync = promisify(execFile);
const quick = process.argv.includes('--quick');
const sizes = quick ? [100, 1_000, 10_000] : [100, 1_000, 10_000];
const samples = quick ? 8 : 30;
const skeleton = join(import.meta.dirname, '..', 'apps-repo');
const templates = defaultTemplates();
const settings = DEFAULT_RENDER_SETTINGS;
const committer = { name: 'Berth', email: 'berth@berth.invalid' };
const actor = { id: 'u-bench', username: 'bench', email: 'bench@berth.invalid' };
const work = mkdtempSync(join(tmpdir(), 'berth-bench-'));

interface Row {
  size: number;
  objects: string;
  berth: number[];
  cli: number[];
  grouped?: number;
  perDeploy?: number;
}

async function measure(gitdir: string, size: number, objects: string): Promise<Row> {
  const adapter = createLocalGit({ gitdir, committer });
  const gitops = createGitOps({ git: adapter, context: { templates, settings }, now: () => new Date() });
  const deployOf = (i: number, greeting: string) => {
    const spec = benchApp(i % size, greeting);
    return { tenant: spec.tenant, app: spec.app, owner: spec.owner, entrypoint: spec.entrypoint, files: spec.files, env: spec.env };
  };
  await gitops.deploy(deployOf(0, 'warm-up'), { actor, requestId: `warm-${objects}` });
  const berth: number[] = [];
  for (let s = 0; s < samples; s++) {
    const [ms, result] = await timeMs(() => gitops.deploy(deployOf(s * 7 + 1, `b${s}`), { actor, requestId: `b-${objects}-${s}` }));
    if (result.status !== 'committed') throw new Error(`bench deploy did not commit: ${result.status}`);
    berth.push(ms);
  }
  // Baseline on its own branch: render in-process, commit with one git process per plumbing step.
  await git(gitdir, ['branch', '-f', 'cli', 'main']);
  const cli: number[] = [];
  for (let s = 0; s < samples; s++) {
    const spec = benchApp((s * 7 + 1) % size, `c${s}`);
    const [ms] = await timeMs(async () => {
      const rendered = renderApp(spec, settings, templates);
      const changes = [...rendered].filter(([path]) => path.endsWith('/code/main.py')).map(([path, content]) => ({ path, content }));
      return commitWithPlumbing(gitdir, 'cli', changes, `deploy ${spec.tenant}/${spec.app}`);
    });
    cli.push(ms);
  }
  const grouped = await burst(gitops, size, `g-${objects}`, deployOf);
  await adapter.close();
  const single = createLocalGit({ gitdir, committer, maxGroup: 1 });
  const perDeploy = await burst(createGitOps({ git: single, context: { templates, settings }, now: () => new Date() }), size, `s-${objects}`, deployOf);
  await single.close();
  return { size, objects, berth, cli, grouped, perDeploy };
}

type Deploy = ReturnType<typeof createGitOps>['deploy'];
async function burst(gitops: { deploy: Deploy }, size: number, tag: string, deployOf: (i: number, g: string) => Parameters<Deploy>[0]): Promise<number> {
  const [ms, results] = await timeMs(() =>
    Promise.all(Array.from({ length: 50 }, (_, k) => gitops.deploy(deployOf((k * 13 + 3) % size, `${tag}-${k}`), { actor, requestId: `${tag}-${k}` }))),
  );
  const landed = results.filter((r) => r.status === 'committed').length;
  if (landed !== 50) throw new Error(`burst ${tag}: ${landed}/50 committed`);
  return ms;
}

/** Untimed set-up of kustomizeTimes: the branch's files on disk. */
async function checkout(gitdir: string, size: number): Promise<string> {
  const dir = join(work, `checkout-${size}`);
  mkdirSync(dir, { recursive: true });
  await execFileAsync('sh', ['-c', `git --git-dir="${gitdir}" archive main | tar -x -C "${dir}"`]);
  return dir;
}

function kustomizeTimes(dir: string, size: number): string {
  const app = benchApp(0);
  const groupDir = appFluxFile(app).split('/').slice(0, 3).join('/');
  const time = (path: string) => {
    const start = process.hrtime.bigint();
    execFileSync('kubectl', ['kustomize', join(dir, path)], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 28 });
    return `${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(2)} s`;
  };
  const line = `kustomize build at ${size} apps: root ${time('.')}, group ${time(groupDir)}, app ${time(appDir(app))}`;
  rmSync(dir, { recursive: true, force: true });
  return line;
}

async function main(): Promise<void> {
  if (process.argv.includes('--scale')) return runScale(process.argv.slice(2));
  if (process.argv.includes('--runtime-only')) {
    for (const line of await benchRuntime(quick)) console.log(line);
    return;
  }
  if (process.argv.includes('--validation-only')) {
    for (const line of await benchValidationFairness(quick)) console.log(line);
    return;
  }
  if (process.argv.includes('--service-only')) {
    for (const line of await benchService(quick, skeleton, settings, templates)) console.log(line);
    return;
  }
  console.log(`berth bench${quick ? ' (quick)' : ''}: ${samples} deploys per row, node ${process.version}`);
  const rows: Row[] = [];
  // Set-up, untimed, on both cores: every size holds the first N of the same apps, so the largest set is
  // rendered once (on worker threads); then the repositories are seeded and the server for the service
  // half starts, side by side. Measuring starts only when all of it is done.
  const largest = Math.max(...sizes);
  const [renderMs, apps] = await timeMs(() => renderBenchAppsInParallel(largest, settings));
  console.log(`rendered ${largest} apps in ${(renderMs / 1000).toFixed(1)} s`);
  const [setupMs, [repos, service]] = await timeMs(() =>
    Promise.all([
      Promise.all(
        sizes.map(async (size) => {
          const packed = join(work, `packed-${size}.git`);
          await seedWithFastImport(packed, repoFilesOf(skeleton, size, apps, settings, templates));
          const loose = join(work, `loose-${size}.git`);
          cpSync(packed, loose, { recursive: true });
          await unpackAll(loose);
          return { size, packed, loose, checkout: await checkout(packed, size) };
        }),
      ),
      prepareService(quick, skeleton, settings, templates, apps),
    ]),
  );
  console.log(`seeded ${sizes.join(', ')}-app repositories (packed and loose) and started the server in ${(setupMs / 1000).toFixed(1)} s`);
  const builds = repos.map(({ checkout, size }) => kustomizeTimes(checkout, size));
  try {
    for (const { size, packed, loose } of repos) {
      rows.push(await measure(loose, size, 'loose'));
      rows.push(await measure(packed, size, 'packed'));
    }
  } catch (error) {
    service.stop();
    throw error;
  }
  console.log('\nrender+commit of one deploy (ms); baseline = same render, commit by git CLI plumbing');
  console.log('apps    objects  berth p50  berth p95  cli p50  cli p95  ratio  | 50 concurrent: grouped  one ref update each');
  for (const r of rows) {
    const ratio = percentile(r.berth, 50) / percentile(r.cli, 50);
    console.log(
      [
        String(r.size).padEnd(7),
        r.objects.padEnd(8),
        fmt(percentile(r.berth, 50)).padStart(9),
        fmt(percentile(r.berth, 95)).padStart(10),
        fmt(percentile(r.cli, 50)).padStart(8),
        fmt(percentile(r.cli, 95)).padStart(8),
        `${ratio.toFixed(2)}x`.padStart(6),
        ' |',
        `${fmt(r.grouped ?? NaN)} ms`.padStart(24),
        `${fmt(r.perDeploy ?? NaN)} ms`.padStart(20),
      ].join(' '),
    );
  }
  const p50 = (size: number) =>
    percentile(
      rows.filter((r) => r.size === size).flatMap((r) => r.berth),
      50,
    );
  console.log(`\n10,000-app p50 / 100-app p50: ${(p50(10_000) / p50(100)).toFixed(2)}x`);
  console.log(builds.join('\n'));
  console.log('');
  try {
    for (const line of await service.run()) console.log(line);
  } finally {
    service.stop();
  }
  for (const line of await benchRuntime(quick)) console.log(line);
  console.log('');
  for (const line of await benchValidationFairness(quick)) console.log(line);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
