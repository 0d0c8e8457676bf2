// Cuts GitHub's own OpenAPI description (npm @octokit/openapi, ~385 MB) down to the
// operations Berth's GitHub review backend calls, for test/adapters/github: the fake
// GitHub server's answers are checked against it. Run after `npx -y -p @octokit/openapi`
// or with the package installed: node scripts/github-openapi-subset.mjs
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
const out = { openapi: doc.openapi, info: { title: `${doc.info.title} (subset)`, version: doc.info.version }, paths, components: { schemas: {} } };
writeFileSync(new URL('../test/fixtures/github/openapi-subset.json', import.meta.url), JSON.stringify(out));
console.log(`wrote ${Object.keys(paths).length} paths of GitHub REST API ${doc.info.version}`);
