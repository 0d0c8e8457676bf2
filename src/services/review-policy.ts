import type { Store } from '../ports/store.js';
import { SETTINGS } from './service-deps.js';
import type { TenantMode } from './views.js';

/** An app's own policy, when an admin set one; otherwise its tenant's. */
export const appPolicyKey = (tenant: string, app: string) => `app.${tenant}.${app}.policy`;

export async function effectiveMode(settings: Store['settings'], tenant: string, app: string): Promise<{ mode: TenantMode; source: 'app' | 'tenant' }> {
  const own = await settings.get<{ mode?: unknown }>(appPolicyKey(tenant, app));
  if (own?.mode === 'review' || own?.mode === 'auto') return { mode: own.mode, source: 'app' };
  const tenantPolicy = await settings.get<{ mode?: unknown }>(SETTINGS.tenantPolicy(tenant));
  return { mode: tenantPolicy?.mode === 'review' ? 'review' : 'auto', source: 'tenant' };
}
