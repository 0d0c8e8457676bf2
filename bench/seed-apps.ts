import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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

/** Every file of an apps repository holding `count` apps, rendered as Berth would. */
export function* appsRepoFiles(
  skeleton: string,
  count: number,
  settings: RenderSettings,
  templates: Templates,
  perTenant = APPS_PER_TENANT,
): Generator<readonly [string, string]> {
  for (const path of walk(skeleton)) {
    if (path !== 'kustomization.yaml') yield [path, readFileSync(join(skeleton, path), 'utf8')];
  }
  const tenants = new Map<string, string[]>();
  for (let i = 0; i < count; i++) {
    const spec = benchApp(i, 'hello', perTenant);
    yield* renderApp(spec, settings, templates);
    const apps = tenants.get(spec.tenant) ?? [];
    apps.push(spec.app);
    tenants.set(spec.tenant, apps);
  }
  const groups = new Map<string, string[]>();
  for (const [tenant, apps] of tenants) {
    yield* renderTenant(tenant, apps.sort(), settings, templates);
    const group = tenantGroup(tenant);
    groups.set(group, [...(groups.get(group) ?? []), tenant]);
  }
  for (const [group, members] of groups) yield* renderGroup(group, members.sort(), settings, templates);
  yield* renderRoot([...groups.keys()].sort(), templates);
}

function* walk(dir: string, base = dir): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full, base);
    else yield relative(base, full);
  }
}
