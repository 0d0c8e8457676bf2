// Cuts GitHub's own OpenAPI description (3.0, converted to 3.1's null types) (npm @octokit/openapi, ~385 MB) down to the
// operations Berth's GitHub review backend calls, for test/adapters/github: the fake
// GitHub server's answers are checked against it. Regenerate with the package present:
// npm install --no-save @octokit/openapi && node scripts/github-openapi-subset.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const source = require.resolve('@octokit/openapi/generated/api.github.com.deref.json');
const doc = JSON.parse(readFileSync(source, 'utf8'));
const USED = {
  '/repos/{owner}/{repo}/pulls': ['get', 'post'],
  '/repos/{owner}/{repo}/pulls/{pull_number}': ['get', 'patch'],
  '/repos/{owner}/{repo}/pulls/{pull_number}/reviews': ['get', 'post'],
  '/repos/{owner}/{repo}/pulls/{pull_number}/merge': ['put'],
  '/repos/{owner}/{repo}/git/refs/{ref}': ['delete'],
};
const paths = {};
for (const [path, methods] of Object.entries(USED)) {
  paths[path] = {};
  for (const method of methods) paths[path][method] = { operationId: doc.paths[path][method].operationId, responses: doc.paths[path][method].responses };
}
/** OpenAPI 3.0's `nullable: true` as JSON Schema 2020-12 (what OpenAPI 3.1 and Ajv2020 read). */
function to31(node) {
  if (Array.isArray(node)) return node.map(to31);
  if (typeof node !== 'object' || node === null) return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) if (key !== 'nullable') out[key] = to31(value);
  if (node.nullable !== true) return out;
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'], ...(out.enum ? { enum: [...out.enum, null] } : {}) };
  return { anyOf: [out, { type: 'null' }] };
}
for (const path of Object.keys(paths)) paths[path] = to31(paths[path]);
const out = {
  openapi: '3.1.0',
  'x-converted-from': doc.openapi,
  info: { title: `${doc.info.title} (subset)`, version: doc.info.version },
  paths,
  components: { schemas: {} },
};
writeFileSync(new URL('../test/fixtures/github/openapi-subset.json', import.meta.url), JSON.stringify(out));
console.log(`wrote ${Object.keys(paths).length} paths of GitHub REST API ${doc.info.version}`);
