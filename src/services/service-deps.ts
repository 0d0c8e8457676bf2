import type { CleanupPolicy } from '../gitops/operations/cleanup.js';
import type { GitOps } from '../gitops/gitops.js';
import type { GitPort } from '../ports/git.js';
import type { RenderSettings } from '../render/settings.js';
import type { Store } from '../ports/store.js';
import type { CodeValidatorPort, SecretBoxPort, SecretManifestEncryptor, Starter } from '../ports/services.js';
import type { RuntimePort } from './runtime-port.js';
import type { ReviewWiring } from './review-service.js';

/** Everything the application services use; built once by src/compose.ts (buildBerth). */
export interface ServiceDeps {
  readonly store: Store;
  readonly gitops: GitOps;
  /** For the operator's commit list and the Flux event checks; writes go through gitops only. */
  readonly git: Pick<GitPort, 'log' | 'head' | 'isAncestor' | 'readCommit' | 'tree'>;
  readonly validator: CodeValidatorPort;
  readonly secretBox: SecretBoxPort;
  readonly encryptSecretManifest: SecretManifestEncryptor;
  readonly sopsRecipients: readonly string[];
  /** Per-tenant MongoDB users; absent when Berth has no MongoDB for apps (status says no database is attached). */
  readonly tenantDatabase?: { ensure(tenant: string): Promise<{ readonly uri: string }> };
  readonly starters: () => readonly Starter[] | Promise<readonly Starter[]>;
  /** Wakes the job runner after an enqueue, so a fresh job does not wait for the next poll. */
  readonly kickJobs: () => void;
  readonly renderSettings: RenderSettings;
  /** False in embedded mode: nothing reconciles, so `committed` is as far as a deployment gets. */
  readonly clusterConfigured: boolean;
  readonly cleanupPolicy: CleanupPolicy;
  readonly now: () => Date;
  /** What runs the committed apps (local processes or a cluster); absent: Git only. */
  readonly runtime?: RuntimePort;
  /** Apps' URLs when not `https://<host>/`: the local runtime serves them on Berth's own port over plain HTTP. */
  readonly appUrlBase?: { readonly scheme: 'http' | 'https'; readonly port?: number };
  /** Where the test panel connects to reach an app's URL (Berth's own listener for the local runtime). */
  readonly appRequestVia?: { readonly host: string; readonly port: number };
  /** Review mode: the change request backend and records. */
  readonly reviews: ReviewWiring;
}

/** Settings keys in store.settings. */
export const SETTINGS = {
  allowedImports: 'validate.allowedImports',
  tenantPolicy: (tenant: string) => `tenant.${tenant}.policy`,
} as const;
