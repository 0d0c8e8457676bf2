/**
 * src/render: app specs and cluster settings in, repo path → text out. Pure
 * and deterministic. Templates are an input: src/adapters/templates reads them once.
 */
export { TEMPLATE_VERSION } from './templates.js';
export {
  APP_TEMPLATE_NAMES,
  INDEX_TEMPLATE_NAMES,
  compileTemplate,
  compileTemplates,
  type AppTemplateName,
  type IndexTemplateName,
  type RenderTemplate,
  type TemplateSources,
  type Templates,
} from './templates.js';
export { renderApp } from './render-app.js';
export { renderGroup, renderRoot, renderTenant } from './render-index.js';
export { parseAppSpec, berthYamlSchema, type CodeFiles } from './app-spec-file.js';
export { kustomizeTextProblem, normalizeAppSpec, RESERVED_ENV_NAMES } from './app-input.js';
export { appFluxName, appHost, appSecretName, tenantNamespace, tenantServiceAccount } from './app-view.js';

export { parseRenderSettings, renderSettingsSchema } from './settings-schema.js';
export { DEFAULT_RENDER_SETTINGS, type RenderSettings } from './settings.js';
export { formatYamlBool, formatYamlInt, quoteYamlString } from './yaml-scalar.js';
