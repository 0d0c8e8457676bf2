import { decryptSops } from 'sops-age';
import { parse } from 'yaml';
import { z } from 'zod';
import { CODE_DIR, SECRET_FILE, appDir } from '../../domain/layout.js';
import type { AppRef } from '../../domain/names.js';
import type { TreeView } from '../../ports/git.js';

/**
 * What the local runtime runs for one app, read from the app's folder AS
 * COMMITTED (never the draft): the rendered deployment.yaml says replicas,
 * entrypoint, env and the memory limit, exactly what the kubelet would get;
 * code/ is the code. An operator who edits deployment.yaml by hand (replicas
 * 0 to sleep) is followed like Flux would follow them.
 */
export interface AppRunSpec {
  readonly replicas: number;
  readonly entrypoint: string;
  /** Plain values and decrypted secret values, as the container would see them. */
  readonly env: Readonly<Record<string, string>>;
  readonly files: ReadonlyMap<string, string>;
  readonly memoryLimitBytes?: number;
}

/** Set by the runtime itself, whatever deployment.yaml says. */
const RUNTIME_OWNED_ENV = new Set(['CODE_DIR', 'PORT', 'ENTRYPOINT']);

const envEntry = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.object({ secretKeyRef: z.object({ name: z.string(), key: z.string() }).optional() }).optional(),
});
const deploymentSchema = z.object({
  spec: z.object({
    replicas: z.number().int().min(0).default(1),
    template: z.object({
      spec: z.object({
        containers: z
          .array(
            z.object({
              env: z.array(envEntry).default([]),
              resources: z.object({ limits: z.object({ memory: z.union([z.string(), z.number()]).optional() }).optional() }).optional(),
            }),
          )
          .min(1),
      }),
    }),
  }),
});

/** The app folder cannot be run as committed; the message says why (shown as the app's status). */
export class AppFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppFolderError';
  }
}

/** Kubernetes quantities as the templates write them: 256Mi, 1Gi, 500M, bytes. */
export function parseMemoryQuantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(String(value).trim());
  if (!match) return undefined;
  const units: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, M: 1e6, G: 1e9 };
  return Math.round(Number(match[1]) * (match[2] ? (units[match[2]] ?? 1) : 1));
}

/**
 * Reads the run spec of an app from a commit's tree. Secret values are
 * decrypted with the embedded age identity only when the Deployment refers
 * to them; without an identity (or with a file encrypted to another key) the
 * app cannot start and the error says so.
 */
export async function readAppRunSpec(tree: TreeView, ref: AppRef, ageIdentity: string | undefined): Promise<AppRunSpec> {
  const dir = appDir(ref);
  const text = await tree.readFile(`${dir}/deployment.yaml`);
  if (text === undefined) throw new AppFolderError(`${dir}/deployment.yaml is missing`);
  const parsed = deploymentSchema.safeParse(parse(text));
  if (!parsed.success) throw new AppFolderError(`${dir}/deployment.yaml is not a Deployment Berth can run: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const container = parsed.data.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  let entrypoint = 'main.py';
  let secrets: Record<string, string> | undefined;
  for (const entry of container?.env ?? []) {
    if (entry.name === 'ENTRYPOINT' && entry.value !== undefined) entrypoint = entry.value;
    if (RUNTIME_OWNED_ENV.has(entry.name)) continue;
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (entry.valueFrom?.secretKeyRef) {
      secrets ??= await readSecretValues(tree, dir, ageIdentity);
      const value = secrets[entry.valueFrom.secretKeyRef.key];
      if (value === undefined) throw new AppFolderError(`${dir}/${SECRET_FILE} has no value for ${entry.name}`);
      env[entry.name] = value;
    }
  }
  const files = await tree.readFiles(`${dir}/${CODE_DIR}`);
  if (!files.has(entrypoint)) throw new AppFolderError(`${dir}/${CODE_DIR}/${entrypoint} (the entrypoint) is missing`);
  const memoryLimitBytes = parseMemoryQuantity(container?.resources?.limits?.memory);
  return { replicas: parsed.data.spec.replicas, entrypoint, env, files, ...(memoryLimitBytes ? { memoryLimitBytes } : {}) };
}

async function readSecretValues(tree: TreeView, dir: string, ageIdentity: string | undefined): Promise<Record<string, string>> {
  const text = await tree.readFile(`${dir}/${SECRET_FILE}`);
  if (text === undefined) throw new AppFolderError(`${dir}/${SECRET_FILE} is missing but the Deployment refers to it`);
  if (!ageIdentity) throw new AppFolderError(`${dir}/${SECRET_FILE} cannot be decrypted: Berth has no age identity`);
  try {
    const secret = (await decryptSops(text, { secretKey: ageIdentity, fileType: 'yaml' })) as { stringData?: Record<string, unknown> };
    return Object.fromEntries(Object.entries(secret.stringData ?? {}).map(([key, value]) => [key, String(value)]));
  } catch {
    // The library's message may quote ciphertext; say what a person can act on.
    throw new AppFolderError(`${dir}/${SECRET_FILE} is not encrypted to Berth's embedded age key (DATA_DIR/age.key); deploy the app again to re-encrypt it`);
  }
}
