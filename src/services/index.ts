import { createAdminService } from './admin-service.js';
import { createAppService, type AppService } from './app-service.js';
import { createDeployService, type DeployService } from './deploy-service.js';
import { applyFluxEvent } from './flux-event-service.js';
import { createOpsService } from './ops-service.js';
import type { ServiceDeps } from './service-deps.js';
import type { Starter } from '../ports/services.js';

export type OpsService = ReturnType<typeof createOpsService>;
export type AdminService = ReturnType<typeof createAdminService>;

/** The application services the HTTP routes call; built once by buildServices (from src/compose.ts). */
export interface Services {
  readonly apps: AppService;
  readonly deploys: DeployService;
  readonly ops: OpsService;
  readonly admin: AdminService;
  /** Applies one Flux notification; resolves to the number of deployments it moved. */
  readonly fluxEvents: (payload: unknown) => Promise<number>;
  readonly starters: () => readonly Starter[] | Promise<readonly Starter[]>;
}

export function buildServices(deps: ServiceDeps): Services {
  const apps = createAppService(deps);
  return {
    apps,
    deploys: createDeployService(deps, apps),
    ops: createOpsService(deps),
    admin: createAdminService(deps),
    fluxEvents: (payload) => applyFluxEvent(deps, payload),
    starters: deps.starters,
  };
}

export type { AppService, DeployService, ServiceDeps };
