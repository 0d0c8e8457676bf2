/**
 * The git-CLI baseline of `--scale`, in a small process of its own: forking
 * git from a process with a big heap costs more (measured in issue 15: 463 ms
 * in-process vs 75 ms from a small process at 100,000 packed apps), which
 * would flatter Berth's ratio. `tsx bench/scale-cli.ts <gitdir> <apps> <tenants>`
 * prints one JSON line.
 */
import { renderApp } from '../src/render/index.js';
import { defaultTemplates } from '../src/adapters/templates/template-files.js';
import { DEFAULT_RENDER_SETTINGS } from '../src/render/settings.js';
import { commitWithPlumbing, git } from './git-cli.js';
import { benchApp } from './seed-apps.js';
import { percentile, timeMs } from './stats.js';

const [gitdir = '', appsText = '', tenantsText = ''] = process.argv.slice(2);
const apps = Number(appsText);
const perTenant = apps / Number(tenantsText);

async function main(): Promise<void> {
  const templates = defaultTemplates();
  await git(gitdir, ['branch', '-f', 'cli', 'main']);
  const times: number[] = [];
  for (let s = 0; s < 15; s++) {
    const spec = benchApp((s * 7919 + 3) % apps, `cli${s}`, perTenant);
    const [ms] = await timeMs(async () => {
      const rendered = renderApp(spec, DEFAULT_RENDER_SETTINGS, templates);
      const changes = [...rendered].filter(([path]) => path.endsWith('/code/main.py')).map(([path, content]) => ({ path, content }));
      return commitWithPlumbing(gitdir, 'cli', changes, `deploy ${spec.tenant}/${spec.app}`);
    });
    times.push(ms);
  }
  process.stdout.write(`${JSON.stringify({ cliP50Ms: percentile(times, 50), cliP95Ms: percentile(times, 95) })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
