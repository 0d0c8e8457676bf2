import type { AppRef } from './names.js';

export interface RunnerImage {
  /** Repository without tag, e.g. `ghcr.io/berth/runner`. */
  readonly image: string;
  /** `sha256:<64 hex>`: images are pinned by digest, never by tag. */
  readonly digest: string;
}

/**
 * Everything needed to render one app. It is what `berth.yaml` plus `code/`
 * hold in the apps repository, so any operation can re-render an app from Git
 * alone; secret values are never part of it (only their names).
 */
export interface AppSpec extends AppRef {
  /** Username of the person the app belongs to. */
  readonly owner: string;
  readonly entrypoint: string;
  /** Code path → file content (text). */
  readonly files: Readonly<Record<string, string>>;
  /** Plain environment variables, committed as they are. */
  readonly env: Readonly<Record<string, string>>;
  /** Names of variables whose values live only in the encrypted `secret.sops.yaml`. */
  readonly secretEnv: readonly string[];
  /** A per-app runner pin; absent means the fleet-wide pin in `components/runner`. */
  readonly runner?: RunnerImage;
  /** 0 while asleep. */
  readonly replicas: 0 | 1;
  /** When the app was put to sleep (ISO 8601), so cleanup can delete long sleepers. */
  readonly asleepSince?: string;
  /** Template version the app was last rendered with. */
  readonly templateVersion: number;
}

export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;
