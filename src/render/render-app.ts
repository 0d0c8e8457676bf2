import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import type { AppSpec } from '../domain/app-spec.js';
import { appDir, appFluxFile, BERTH_YAML, CODE_DIR } from '../domain/layout.js';
import { ManifestError } from '../errors.js';
import { normalizeAppSpec } from './app-input.js';
import { parseAppSpec } from './app-spec-file.js';
import { runnerEnv, toAppView, type AppView } from './app-view.js';
import { checkRendered } from './manifest-check.js';
import { appKustomizationSchema, fluxKustomizationSchema } from './schemas-repo.js';
import { deploymentSchema, ingressRouteSchema, networkPolicySchema, serviceSchema } from './schemas-workload.js';
import { parseRenderSettings } from './settings-schema.js';
import type { RenderSettings } from './settings.js';
import type { AppTemplateName, Templates } from './templates.js';
import { TEMPLATE_VERSION } from './templates.js';

/** The manifests of an app folder, in the order they are returned, with their schemas. */
const MANIFESTS: readonly { file: string; template: AppTemplateName; schema: z.ZodType }[] = [
  { file: 'kustomization.yaml', template: 'kustomization', schema: appKustomizationSchema },
  { file: 'deployment.yaml', template: 'deployment', schema: deploymentSchema },
  { file: 'service.yaml', template: 'service', schema: serviceSchema },
  { file: 'ingressroute.yaml', template: 'ingressroute', schema: ingressRouteSchema },
  { file: 'networkpolicy.yaml', template: 'networkpolicy', schema: networkPolicySchema },
];

/** The Deployment's env list as the view meant it: what the parsed file must hold. */
function expectedEnv(spec: AppSpec, settings: RenderSettings, view: AppView): unknown[] {
  return [
    ...runnerEnv(spec, settings),
    ...Object.entries(spec.env).map(([name, value]) => ({ name, value })),
    ...spec.secretEnv.map((name) => ({ name, valueFrom: { secretKeyRef: { name: view.secretName, key: name } } })),
  ];
}

/**
 * Beyond the schemas: values must come back exactly as they went in. A
 * quoting bug that changed a value without breaking the syntax (a folded
 * line, a dropped escape) is caught here.
 */
function assertEcho(path: string, actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) throw new ManifestError(`${path}: ${what} did not read back as rendered`, { path });
}

/**
 * Renders one app: repo path → text for every file of `tenants/<tenant>/<app>/`
 * (kustomization, workload manifests, berth.yaml, code/ files) followed by the
 * app's Flux Kustomization. Never `secret.sops.yaml`: the caller carries that
 * encrypted file as it is. Pure and deterministic.
 *
 * Throws InputError when the spec or settings are invalid (names, paths,
 * variables, text kustomize cannot carry, a template version newer than
 * {@link TEMPLATE_VERSION}), and ManifestError when a rendered file fails to
 * read back as exactly what was meant (a bug: nothing is returned).
 * berth.yaml records TEMPLATE_VERSION whatever `spec.templateVersion` was.
 */
export function renderApp(spec: AppSpec, settings: RenderSettings, templates: Templates): Map<string, string> {
  const checkedSettings = parseRenderSettings(settings);
  const normal = normalizeAppSpec(spec);
  const view = toAppView(normal, checkedSettings, TEMPLATE_VERSION);
  const dir = appDir(normal);
  const out = new Map<string, string>();

  for (const { file, template, schema } of MANIFESTS) {
    const path = `${dir}/${file}`;
    const text = templates.app[template](view);
    const parsed = checkRendered(path, text, schema);
    if (template === 'deployment') {
      const deployment = parsed as z.output<typeof deploymentSchema>;
      assertEcho(path, deployment.spec.template.spec.containers[0].env, expectedEnv(normal, checkedSettings, view), 'env');
      const items = deployment.spec.template.spec.volumes[0].configMap.items;
      assertEcho(
        path,
        items,
        view.codeFiles.map(({ key, path: p }) => ({ key, path: p })),
        'code volume items',
      );
    }
    out.set(path, text);
  }

  const berthPath = `${dir}/${BERTH_YAML}`;
  const berthYaml = templates.app.berth(view);
  assertEcho(berthPath, parseAppSpec(berthYaml, normal.files), { ...normal, templateVersion: TEMPLATE_VERSION }, 'the app spec');
  out.set(berthPath, berthYaml);

  for (const [path, content] of Object.entries(normal.files)) out.set(`${dir}/${CODE_DIR}/${path}`, content);

  const fluxPath = appFluxFile(normal);
  const fluxText = templates.app['flux-kustomization'](view);
  checkRendered(fluxPath, fluxText, fluxKustomizationSchema);
  out.set(fluxPath, fluxText);
  return out;
}
