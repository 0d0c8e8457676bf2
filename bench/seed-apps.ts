import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AppSpec } from '../src/domain/app-spec.js';
import { tenantGroup } from '../src/domain/names.js';
import { renderApp, renderGroup, renderRoot, renderTenant, TEMPLATE_VERSION, type Templates } from '../src/render/index.js';
import type { RenderSettings } from '../src/render/settings.js';

export const APPS_PER_TENANT = 10;

export function benchApp(i: number, greeting = 'hello', perTenant = APPS_PER_TENANT): AppSpec {
  return {
    tenant: `t${Math.floor(i / perTenant)}`,
    app: `app-${i}`,
    owner: `t${Math.floor(i / perTenant)}`,
    entrypoint: 'main.py',
    files: {
      'main.py': `from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"message": "${greeting}", "app": ${i}}\n`,
      'static/index.html': `<h1>app ${i}</h1>\n`,
    },
    env: { GREETING: greeting },
    secretEnv: [],
    replicas: 1,
    templateVersion: TEMPLATE_VERSION,
  };
}

/** Each app's rendered files, for apps [from, to): rendered once and shared by every repository size. */
export function renderBenchApps(from: number, to: number, settings: RenderSettings, templates: Templates): (readonly [string, string])[][] {
  const out: (readonly [string, string])[][] = [];
  for (let i = from; i < to; i++) out.push([...renderApp(benchApp(i), settings, templates)]);
  return out;
}

// tsx's loader does not reach worker threads by itself: the worker registers it, then loads the TypeScript module.
const SEED_WORKER = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(new URL('./seed-worker.ts', import.meta.url).href)}))`;

/**
 * The rendered files of the first `count` bench apps, rendered on worker
 * threads (the parse-back checks of every manifest make rendering 10,000
 * apps the bench's slowest set-up step; the apps are independent).
 */
export async function renderBenchAppsInParallel(count: number, settings: RenderSettings): Promise<(readonly [string, string])[][]> {
  const workers = Math.max(1, Math.min(availableParallelism(), 8, Math.ceil(count / 500)));
  const per = Math.ceil(count / workers);
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const worker = new Worker(SEED_WORKER, { eval: true, workerData: { from: w * per, to: Math.min(count, (w + 1) * per), settings } });
      return new Promise<(readonly [string, string])[][]>((resolve, reject) => {
        worker.once('message', (files: (readonly [string, string])[][]) => resolve(files));
        worker.once('error', reject);
        worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`seed worker exited with ${code}`))));
      });
    }),
  );
  return parts.flat();
}

/** Every file of an apps repository holding the first `count` apps of `apps` (each app's rendered files), as Berth would write it. */
export function* repoFilesOf(
  skeleton: string,
  count: number,
  apps: Iterable<readonly (readonly [string, string])[]>,
  settings: RenderSettings,
  templates: Templates,
  perTenant = APPS_PER_TENANT,
): Generator<readonly [string, string]> {
  for (const path of walk(skeleton)) {
    if (path !== 'kustomization.yaml') yield [path, readFileSync(join(skeleton, path), 'utf8')];
  }
  const tenants = new Map<string, string[]>();
  const rendered = apps[Symbol.iterator]();
  for (let i = 0; i < count; i++) {
    const spec = benchApp(i, 'hello', perTenant);
    const files = rendered.next();
    if (files.done) throw new Error(`app ${i} was not rendered`);
    yield* files.value;
    const names = tenants.get(spec.tenant) ?? [];
    names.push(spec.app);
    tenants.set(spec.tenant, names);
  }
  const groups = new Map<string, string[]>();
  for (const [tenant, names] of tenants) {
    yield* renderTenant(tenant, names.sort(), settings, templates);
    const group = tenantGroup(tenant);
    groups.set(group, [...(groups.get(group) ?? []), tenant]);
  }
  for (const [group, members] of groups) yield* renderGroup(group, members.sort(), settings, templates);
  yield* renderRoot([...groups.keys()].sort(), templates);
}

/**
 * Every file of an apps repository holding `count` apps (`perTenant` to a
 * tenant), rendered as Berth would, one app at a time: the scale bench
 * streams 100,000 apps into fast-import without holding them.
 */
export function appsRepoFiles(
  skeleton: string,
  count: number,
  settings: RenderSettings,
  templates: Templates,
  perTenant = APPS_PER_TENANT,
): Generator<readonly [string, string]> {
  function* rendered(): Generator<readonly (readonly [string, string])[]> {
    for (let i = 0; i < count; i++) yield [...renderApp(benchApp(i, 'hello', perTenant), settings, templates)];
  }
  return repoFilesOf(skeleton, count, rendered(), settings, templates, perTenant);
}

function* walk(dir: string, base = dir): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full, base);
    else yield relative(base, full);
  }
}
