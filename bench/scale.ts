/**
 * `npm run bench -- --scale [--rows 10k/1k,100k/10k,100k/100k] [--json <file>]
 * [--no-compare]` (not in CI: tens of minutes, gigabytes of disk). Seeds
 * each apps/tenants size with fast-import, then measures loose and packed:
 * commit p50/p95 and RSS after 1,000 deploys (each row in a process of its
 * own), the git-CLI baseline from a separate small process, 50 concurrent
 * deploys, the biggest trees a deploy rewrites, and on packed repositories a
 * real server's CPU-seconds from start to idle (first start, which builds
 * the fleet index, and a restart) plus, for comparison, the same deploys
 * with isomorphic-git reading the packs.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tenantShardDir } from '../src/domain/layout.js';
import { tenantGroup } from '../src/domain/names.js';
import { defaultTemplates } from '../src/adapters/templates/template-files.js';
import { DEFAULT_RENDER_SETTINGS } from '../src/render/settings.js';
import { git, unpackAll } from './git-cli.js';
import { measureServer, type ServerFigures } from './scale-server.js';
import { seedStreaming } from './scale-seed.js';
import { appsRepoFiles } from './seed-apps.js';
import { fmt } from './stats.js';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');

interface RowFigures {
  firstDeployMs: number;
  rssAfterFirstMiB: number;
  commitP50Ms: number;
  commitP95Ms: number;
  concurrent50Ms: number;
  rssMiB: number;
}

interface ScaleRow {
  apps: number;
  tenants: number;
  packed: boolean;
  commitP50Ms: number;
  commitP95Ms: number;
  cliP50Ms: number;
  concurrent50Ms: number;
  rssMiB: number;
  firstDeployMs: number;
  rssAfterFirstMiB: number;
  biggestTreeBytes: { tenants: number; shard: number; groups: number };
  packReads?: string;
  /** The same deploys on the same packed repository with the other ways of reading packs. */
  otherPackReads?: Record<string, RowFigures>;
  server?: ServerFigures & { firstStartCpuS: number; firstStartRssMiB: number };
}

async function child<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script), ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 24,
    timeout: 3_600_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T;
}

async function treeBytes(gitdir: string, path: string): Promise<number> {
  return Number((await git(gitdir, ['cat-file', '-s', `main:${path}`])).trim());
}

function parseRows(text: string | undefined): { apps: number; tenants: number }[] {
  const num = (s: string) => Number(s.replace(/k$/, '000'));
  return (text ?? '10k/1k,100k/10k,100k/100k').split(',').map((pair) => {
    const [apps = '', tenants = ''] = pair.split('/');
    return { apps: num(apps), tenants: num(tenants) };
  });
}

export async function runScale(argv: readonly string[]): Promise<void> {
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const jsonFile = option('--json');
  const compare = !argv.includes('--no-compare');
  const packReads = option('--pack-reads') ?? 'git';
  const others = ['git', 'pack-index', 'isomorphic-git'].filter((mode) => mode !== packReads);
  const work = mkdtempSync(join(tmpdir(), 'berth-scale-'));
  const skeleton = join(ROOT, 'apps-repo');
  const rows: ScaleRow[] = [];
  console.log(`berth bench --scale: 30 sampled deploys + 50 concurrent, 1,000 deploys per row, node ${process.version}`);
  try {
    for (const { apps, tenants } of parseRows(option('--rows'))) {
      const seeded = join(work, `seed-${apps}-${tenants}.git`);
      const started = Date.now();
      const files = await seedStreaming(seeded, appsRepoFiles(skeleton, apps, DEFAULT_RENDER_SETTINGS, defaultTemplates(), apps / tenants));
      console.log(`seeded ${apps} apps / ${tenants} tenants (${files} files) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const biggestTreeBytes = {
        tenants: await treeBytes(seeded, 'tenants'),
        shard: await treeBytes(seeded, tenantShardDir(tenantGroup('t0'))),
        groups: await treeBytes(seeded, `flux/groups/${tenantGroup('t0')}`),
      };
      for (const packed of [false, true]) {
        const gitdir = join(work, `${packed ? 'packed' : 'loose'}-${apps}-${tenants}.git`);
        cpSync(seeded, gitdir, { recursive: true });
        if (!packed) await unpackAll(gitdir);
        const berth = await child<RowFigures>('scale-row.ts', [gitdir, String(apps), String(tenants), packReads]);
        const cli = await child<{ cliP50Ms: number }>('scale-cli.ts', [gitdir, String(apps), String(tenants)]);
        const row: ScaleRow = { apps, tenants, packed, packReads, ...berth, cliP50Ms: cli.cliP50Ms, biggestTreeBytes };
        if (packed) {
          const dataDir = join(work, `data-${apps}-${tenants}`);
          const first = await measureServer(gitdir, dataDir);
          const restart = await measureServer(gitdir, dataDir);
          row.server = { ...restart, firstStartCpuS: first.startToIdleCpuS, firstStartRssMiB: first.rssMiB };
          for (const mode of compare ? others : []) {
            const again = join(work, `${mode}-${apps}-${tenants}.git`);
            cpSync(seeded, again, { recursive: true });
            (row.otherPackReads ??= {})[mode] = await child<RowFigures>('scale-row.ts', [again, String(apps), String(tenants), mode]);
            rmSync(again, { recursive: true, force: true });
          }
        }
        rows.push(row);
        console.log(JSON.stringify(row));
        rmSync(gitdir, { recursive: true, force: true });
      }
      rmSync(seeded, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  printTable(rows);
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(rows, null, 2)}\n`);
}

function printTable(rows: readonly ScaleRow[]): void {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(
    '\n| apps / tenants | objects | commit p50/p95 (ms) | git CLI p50 (ms) | 50 concurrent | RSS after 1,000 deploys | first deploy | biggest trees (tenants/, shard, group) | server start→idle CPU / RSS |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const server = r.server ? `${r.server.startToIdleCpuS.toFixed(1)} s / ${r.server.rssMiB} MiB (first start ${r.server.firstStartCpuS.toFixed(1)} s)` : '';
    console.log(
      `| ${r.apps / 1000}k / ${r.tenants >= 1000 ? `${r.tenants / 1000}k` : r.tenants} | ${r.packed ? 'packed' : 'loose'} | ${fmt(r.commitP50Ms)} / ${fmt(r.commitP95Ms)} | ${fmt(r.cliP50Ms)} | ${(r.concurrent50Ms / 1000).toFixed(2)} s | ${r.rssMiB} MiB | ${r.firstDeployMs} ms | ${kib(r.biggestTreeBytes.tenants)}, ${kib(r.biggestTreeBytes.shard)}, ${kib(r.biggestTreeBytes.groups)} | ${server} |`,
    );
  }
  const compared = rows.filter((r) => r.otherPackReads);
  if (compared.length > 0) console.log('\npacked reads (git: cat-file --batch; pack-index: in-process by offset; isomorphic-git: whole packs in memory):');
  for (const r of compared) {
    const modes: [string, RowFigures][] = [[r.packReads ?? 'git', r], ...Object.entries(r.otherPackReads ?? {})];
    for (const [mode, o] of modes) {
      console.log(
        `  ${r.apps}/${r.tenants} ${mode.padEnd(14)} first deploy ${o.firstDeployMs} ms, RSS after first ${o.rssAfterFirstMiB} MiB, p50/p95 ${fmt(o.commitP50Ms)}/${fmt(o.commitP95Ms)} ms, 50 concurrent ${o.concurrent50Ms} ms, RSS after 1,000 ${o.rssMiB} MiB`,
      );
    }
  }
  const base = rows.find((r) => r.apps === 10_000 && r.tenants === 1_000 && r.packed);
  const top = rows.find((r) => r.apps === 100_000 && r.tenants === 100_000 && r.packed);
  if (base && top) console.log(`\n100k/100k p50 / 10k/1k p50 (packed): ${(top.commitP50Ms / base.commitP50Ms).toFixed(2)}x (aim ≤ 1.5x)`);
}
