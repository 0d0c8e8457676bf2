import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { AppSpec } from '../../src/domain/app-spec.js';
import { RUNNER_COMPONENT_DIR } from '../../src/domain/layout.js';
import { DEFAULT_RENDER_SETTINGS, TEMPLATE_VERSION, type RenderSettings } from '../../src/render/index.js';

/** Shared by the render suites: sample specs, golden files, and real kustomize builds. */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GOLDEN_ROOT = join(REPO_ROOT, 'test/fixtures/render');
export const SETTINGS: RenderSettings = DEFAULT_RENDER_SETTINGS;

export const DIGEST_A = `sha256:${'a1'.repeat(32)}`;

/** A one-file FastAPI app with nothing optional set. */
export function singleFileSpec(overrides: Partial<AppSpec> = {}): AppSpec {
  return {
    tenant: 'alice',
    app: 'hello',
    owner: 'alice',
    entrypoint: 'main.py',
    files: {
      'main.py': ['from fastapi import FastAPI', '', 'app = FastAPI()', '', '', '@app.get("/")', 'def root():', '    return {"hello": "world"}', ''].join('\n'),
    },
    env: {},
    secretEnv: [],
    replicas: 1,
    templateVersion: TEMPLATE_VERSION,
    ...overrides,
  };
}

/** Several modules in nested folders plus static assets. */
export function multiFileSpec(): AppSpec {
  return {
    tenant: 'bob',
    app: 'shop',
    owner: 'bob',
    entrypoint: 'app/main.py',
    files: {
      'app/main.py': 'from fastapi import FastAPI\nfrom app.routes.items import router\n\napp = FastAPI()\napp.include_router(router)\n',
      'app/__init__.py': '',
      'app/routes/__init__.py': '',
      'app/routes/items.py': 'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/items")\ndef items():\n    return []\n',
      'static/css/site.css': 'body { font-family: sans-serif; }\n',
      'static/js/app.js': 'console.log("shop");\n',
      'static/img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
      'templates/index.html': '<!doctype html>\n<title>Shop</title>\n',
    },
    env: { LOG_LEVEL: 'info', GREETING: 'Hello: "world" # not a comment' },
    secretEnv: [],
    replicas: 1,
    templateVersion: TEMPLATE_VERSION,
  };
}

/** Secret env, its own runner pin, asleep; render it with {@link LOCKED_SETTINGS}. */
export function securedSpec(): AppSpec {
  return {
    tenant: 'carol',
    app: 'vault',
    owner: 'carol',
    entrypoint: 'main.py',
    files: { 'main.py': 'import os\n\nTOKEN = os.environ["API_TOKEN"]\n' },
    env: { MODE: 'production' },
    secretEnv: ['API_TOKEN', 'DATABASE_URL'],
    runner: { image: 'ghcr.io/berth-dev/runner-canary', digest: DIGEST_A },
    replicas: 0,
    asleepSince: '2025-01-02T03:04:05.000Z',
    templateVersion: TEMPLATE_VERSION,
  };
}

export const LOCKED_SETTINGS: RenderSettings = {
  ...DEFAULT_RENDER_SETTINGS,
  appDomain: 'apps.example.com',
  tenantLockdown: true,
  ingress: { ...DEFAULT_RENDER_SETTINGS.ingress, certResolver: 'letsencrypt' },
  // The locked-down fleet also runs its pods in a sandboxed runtime.
  runtimeClassName: 'gvisor',
};

/** Every file under `dir`, as path relative to it → content. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(dir, full).split('\\').join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

export function writeTree(dir: string, files: Iterable<[string, string]>): void {
  for (const [path, content] of files) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/** A temp folder shaped like the apps repository: the runner Component plus `files`. */
export function tempRepo(files: Iterable<[string, string]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-render-'));
  cpSync(join(REPO_ROOT, 'apps-repo', RUNNER_COMPONENT_DIR), join(dir, RUNNER_COMPONENT_DIR), { recursive: true });
  writeTree(dir, files);
  return dir;
}

export function removeTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A Kubernetes object as kustomize emits it (loosely typed: tests look inside). */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

/** The text `kubectl kustomize <repo>/<path>` prints. */
export function kustomizeText(repo: string, path: string): string {
  return execFileSync('kubectl', ['kustomize', join(repo, path)], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
}

/** Parses a multi-document stream with the `yaml` package, as YAML 1.1 (what Kubernetes speaks). */
export function parseStream(text: string): KubeObject[] {
  const docs = parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(docs)) return [];
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`kustomize output did not parse: ${doc.errors[0]?.message}`);
    return doc.toJS() as KubeObject;
  });
}

/** `kubectl kustomize <repo>/<path>`, parsed with {@link parseStream}. */
export function kustomizeBuild(repo: string, path: string): KubeObject[] {
  return parseStream(kustomizeText(repo, path));
}

const LIBYAML_READER = [
  '-c',
  'import json, sys, yaml\n' +
    'loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)\n' +
    'json.dump(list(yaml.load_all(sys.stdin.buffer.read().decode("utf-8"), Loader=loader)), sys.stdout)',
];

/**
 * Parses a stream with libyaml (python3-yaml), every scalar as a string.
 * Go's YAML packages, which Kubernetes and Flux decode with, are ports of
 * libyaml and share its YAML 1.1 reading, e.g. of U+2028/2029 as line
 * breaks, which YAML 1.2 readers like the `yaml` package no longer treat so.
 */
export function parseStreamLikeGo(text: string): KubeObject[] {
  const out = execFileSync('/usr/bin/python3', LIBYAML_READER, { input: text, encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out) as KubeObject[];
}

/** Runs kubectl kustomize and returns its exit status and stderr, for builds expected to fail. */
export function tryKustomizeBuild(repo: string, path: string): { ok: boolean; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync('kubectl', ['kustomize', join(repo, path)], { encoding: 'utf8', timeout: 60_000, stdio: 'pipe' });
    return { ok: true, stdout, stderr: '' };
  } catch (error) {
    const e = error as { stderr?: Buffer | string };
    return { ok: false, stdout: '', stderr: String(e.stderr ?? '') };
  }
}

export function byKind(objects: readonly KubeObject[], kind: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as KubeObject;
}
