import { parse } from 'yaml';
import type { z } from 'zod';
import type { AppSpec } from '../domain/app-spec.js';
import { appDir, appFluxFile, BERTH_YAML, CODE_DIR, GROUP_NAME, SECRET_FILE, tenantDir, TENANTS_DIR, tenantShardDir } from '../domain/layout.js';
import { isValidName, tenantGroup, type AppRef } from '../domain/names.js';
import { berthYamlSchema, parseAppSpec, renderApp } from '../render/index.js';
import type { PlanContext } from './context.js';
import type { TreeView } from '../ports/git.js';
import type { StagedTree } from './staged-tree.js';

/** The app as the tree holds it (berth.yaml + code/), or undefined if it does not exist. */
export async function readAppSpec(tree: TreeView, ref: AppRef): Promise<AppSpec | undefined> {
  const dir = appDir(ref);
  const berthYaml = await tree.readFile(`${dir}/${BERTH_YAML}`);
  if (berthYaml === undefined) return undefined;
  const files = await tree.readFiles(`${dir}/${CODE_DIR}`);
  return parseAppSpec(berthYaml, files);
}

/**
 * Every app folder in the tree, sorted by tenant then app. Folders with
 * invalid names, and tenants filed under a group they do not hash into, are
 * ignored. Reads every tenant's folder: for whole-fleet work that has to
 * (the layout move, building the fleet index once), not for periodic tasks.
 */
export async function listApps(tree: TreeView): Promise<AppRef[]> {
  return (await listAppFolders(tree)).map((folder) => folder.ref);
}

/** {@link listApps} with each folder's tree id, for callers that skip folders they have already seen (the local runtime). */
export async function listAppFolders(tree: TreeView): Promise<{ readonly ref: AppRef; readonly oid: string }[]> {
  const out: { ref: AppRef; oid: string }[] = [];
  for (const shard of (await tree.listDir(TENANTS_DIR)) ?? []) {
    if (shard.type !== 'tree' || !GROUP_NAME.test(shard.name)) continue;
    for (const tenant of (await tree.listDir(tenantShardDir(shard.name))) ?? []) {
      if (tenant.type !== 'tree' || !isValidName(tenant.name) || tenantGroup(tenant.name) !== shard.name) continue;
      for (const app of (await tree.listDir(tenantDir(tenant.name))) ?? []) {
        if (app.type === 'tree' && isValidName(app.name)) out.push({ ref: { tenant: tenant.name, app: app.name }, oid: app.oid });
      }
    }
  }
  const key = (folder: { ref: AppRef }) => `${folder.ref.tenant}/${folder.ref.app}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** How to treat the encrypted secret file when (re)writing an app. */
export type SecretUpdate =
  /** Keep whatever secret.sops.yaml the app has (if it still declares secret env). */
  | { readonly kind: 'keep' }
  /** Replace it with this already-encrypted SOPS document. */
  | { readonly kind: 'replace'; readonly sopsYaml: string };

/**
 * Stages the rendered app: its folder becomes exactly the rendered files (plus
 * the secret file when the app declares secret env), and its Flux
 * Kustomization is written. Index files are the caller's next step.
 */
export async function stageApp(staged: StagedTree, spec: AppSpec, ctx: PlanContext, secret: SecretUpdate): Promise<void> {
  const dir = appDir(spec);
  const fluxFile = appFluxFile(spec);
  const rendered = renderApp(spec, ctx.settings, ctx.templates);
  const inFolder = new Map<string, string>();
  for (const [path, content] of rendered) {
    if (path.startsWith(`${dir}/`)) inFolder.set(path.slice(dir.length + 1), content);
    else if (path === fluxFile) staged.write(path, content);
    else throw new Error(`renderApp wrote outside the app: ${path}`);
  }
  const hasSecret = spec.secretEnv.length > 0;
  await staged.replaceDir(dir, inFolder, (relative) => relative === SECRET_FILE && hasSecret && secret.kind === 'keep');
  if (hasSecret && secret.kind === 'replace') staged.write(`${dir}/${SECRET_FILE}`, secret.sopsYaml);
}

/** Stages the removal of an app's folder and its Flux Kustomization (what makes Flux prune it). */
export async function unstageApp(staged: StagedTree, ref: AppRef): Promise<void> {
  await staged.removeDir(appDir(ref));
  staged.remove(appFluxFile(ref));
}

/**
 * What berth.yaml alone says (no code read): enough for fleet-wide scans and
 * for a deploy to keep the owner, runner pin and secret names. Parsed with
 * the renderer's own berth.yaml schema; a malformed file reads as absent.
 */
export type AppState = z.infer<typeof berthYamlSchema>['spec'];

export async function readAppState(tree: TreeView, ref: AppRef): Promise<AppState | undefined> {
  const text = await tree.readFile(`${appDir(ref)}/${BERTH_YAML}`);
  if (text === undefined) return undefined;
  const parsed = berthYamlSchema.safeParse(parse(text));
  return parsed.success ? parsed.data.spec : undefined;
}
