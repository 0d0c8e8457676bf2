import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { REPO_ROOT } from '../render/support.js';

/*
 * The published schemas vendored under test/fixtures/schemas (SOURCES.json
 * says where each file came from), loaded as one validator per supported
 * end of the range. Kubernetes' strict JSON schemas reject unknown fields
 * already; CRDs' openAPIV3Schema is made strict here the way the API server
 * treats it under strict field validation (unknown fields are an error
 * unless the schema preserves them).
 */

export const SCHEMA_ROOT = join(REPO_ROOT, 'test/fixtures/schemas');

export interface SchemaSet {
  readonly label: 'oldest' | 'newest';
  readonly kubernetes: string;
  readonly flux: string;
  readonly traefik: string;
}

/** The supported range's two ends, as README.md states them. */
export const SCHEMA_SETS: readonly SchemaSet[] = [
  { label: 'oldest', kubernetes: 'v1.30.0', flux: 'v2.5.0', traefik: 'v3.0.0' },
  { label: 'newest', kubernetes: 'v1.32.2', flux: 'v2.7.5', traefik: 'v3.7.9' },
];

export interface KubeDoc {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly [key: string]: unknown;
}

export type ObjectValidator = (object: KubeDoc) => string[];

type Json = unknown;

/** Adds `additionalProperties: false` wherever a CRD schema lists properties and does not preserve unknown fields. */
export function strictCrdSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(strictCrdSchema);
  if (node === null || typeof node !== 'object') return node;
  const source = node as Record<string, Json>;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Json>).map(([name, schema]) => [name, strictCrdSchema(schema)]));
    } else if (['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'].includes(key)) {
      out[key] = strictCrdSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (source.properties !== undefined && source.additionalProperties === undefined && source['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (source.nullable === true && typeof source.type === 'string') out.type = [source.type, 'null'];
  return out;
}

interface Crd {
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Json } }[] };
}

/** `apps/v1` + `Deployment` → yannh's file name `deployment-apps-v1.json`. */
function kubernetesFile(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const groupPart = group ? `-${group.split('.')[0]}` : '';
  return `${kind.toLowerCase()}${groupPart}-${version}.json`;
}

function readDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** One validator for every kind the set's schemas cover; an object of any other kind is an error. */
export function loadSchemaSet(set: SchemaSet): ObjectValidator {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const byKey = new Map<string, ValidateFunction>();
  const kubeDir = join(SCHEMA_ROOT, 'kubernetes', set.kubernetes);
  const kubeFiles = new Set(readDir(kubeDir));
  const crdFiles = [
    ...readDir(join(SCHEMA_ROOT, 'flux', set.flux)).map((f) => join(SCHEMA_ROOT, 'flux', set.flux, f)),
    ...readDir(join(SCHEMA_ROOT, 'traefik', set.traefik)).map((f) => join(SCHEMA_ROOT, 'traefik', set.traefik, f)),
  ];
  for (const file of crdFiles) {
    const crd = parse(readFileSync(file, 'utf8')) as Crd;
    for (const version of crd.spec.versions) {
      if (!version.served || !version.schema) continue;
      byKey.set(`${crd.spec.group}/${version.name}|${crd.spec.names.kind}`, ajv.compile(strictCrdSchema(version.schema.openAPIV3Schema) as object));
    }
  }
  const compileKube = (file: string): ValidateFunction => {
    const schema = JSON.parse(readFileSync(join(kubeDir, file), 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    return ajv.compile(schema);
  };

  return (object) => {
    const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
    const kind = typeof object.kind === 'string' ? object.kind : '';
    const key = `${apiVersion}|${kind}`;
    let validate = byKey.get(key);
    if (!validate) {
      const file = kubernetesFile(apiVersion, kind);
      if (!kubeFiles.has(file)) return [`${kind} ${apiVersion}: no published schema in this set (${set.label})`];
      validate = compileKube(file);
      byKey.set(key, validate);
    }
    // Flux's kustomize-controller decrypts and drops the `sops` key before applying: the one known exception.
    const candidate = kind === 'Secret' && 'sops' in object ? Object.fromEntries(Object.entries(object).filter(([k]) => k !== 'sops')) : object;
    if (validate(candidate)) return [];
    return (validate.errors ?? []).map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
      return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
    });
  };
}

/** One line per set, for the test log: what the suite proved against. */
export function describeSchemaSets(): string {
  return SCHEMA_SETS.map((s) => `${s.label}: Kubernetes ${s.kubernetes}, Flux ${s.flux}, Traefik ${s.traefik}`).join('; ');
}
