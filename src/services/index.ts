import { createAdminService } from './admin-service.js';
import { createAppService, type AppService } from './app-service.js';
import { createDeployService, type DeployService } from './deploy-service.js';
import { applyFluxEvent } from './flux-event-service.js';
import { createOpsService } from './ops-service.js';
import { createRuntimeService } from './runtime-service.js';
import type { ServiceDeps } from './service-deps.js';
import { createReviewService, type ReviewService } from './review-service.js';
import { createGitHubReviewSync, type GitHubReviewSync } from './review-github-sync.js';
import type { Starter } from '../ports/services.js';

export type OpsService = ReturnType<typeof createOpsService>;
export type AdminService = ReturnType<typeof createAdminService>;
export type RuntimeService = ReturnType<typeof createRuntimeService>;

/** The application services the HTTP routes call; built once by buildServices (from src/compose.ts). */
export interface Services {
  readonly apps: AppService;
  readonly deploys: DeployService;
  readonly ops: OpsService;
  readonly admin: AdminService;
  /** Live state, logs, events, the test panel and sleep/wake, from the runtime port. */
  readonly runtime: RuntimeService;
  /** A release against the one before it (code and rendered manifests), for the Releases panel. */
  readonly releaseDiff: ServiceDeps['gitops']['releaseDiff'];
  /** Applies one Flux notification; resolves to the number of deployments it moved. */
  readonly fluxEvents: (payload: unknown) => Promise<number>;
  readonly starters: () => readonly Starter[] | Promise<readonly Starter[]>;
  /** Review mode: change requests, verdicts, per-app policy. */
  readonly reviews: ReviewService;
  /** With the GitHub review backend: webhook deliveries and the ETag poll. */
  readonly githubReviews?: GitHubReviewSync;
}

export function buildServices(deps: ServiceDeps): Services {
  const apps = createAppService(deps);
  const reviews = createReviewService(deps, deps.reviews);
  const pullRequests = deps.reviews.pullRequests;
  return {
    apps,
    deploys: createDeployService(deps, apps),
    ops: createOpsService(deps),
    admin: createAdminService(deps),
    runtime: createRuntimeService(deps),
    releaseDiff: (ref, commit) => deps.gitops.releaseDiff(ref, commit),
    fluxEvents: (payload) => applyFluxEvent(deps, payload),
    starters: deps.starters,
    reviews,
    ...(pullRequests ? { githubReviews: createGitHubReviewSync({ reviews, source: pullRequests, store: deps.store, now: deps.now }) } : {}),
  };
}

export type { AppService, DeployService, ReviewService, ServiceDeps };
