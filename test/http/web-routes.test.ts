import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir } from '../../src/domain/layout.js';
import { createHarness, type Harness } from './harness.js';
import { webUiRoutes } from '../../src/http/web-ui.js';

let h: Harness;
let admin: string;
let alice: string;
let bob: string;

async function deployAndWait(token: string, app: string, files: Record<string, string>, message: string): Promise<string> {
  const put = await h.call('PUT', `/api/v1/apps/alice/${app}/draft`, { token, body: { files, entrypoint: 'main.py', env: {} } });
  expect(put.status).toBe(200);
  const deploy = await h.call('POST', `/api/v1/apps/alice/${app}/deploy`, { token, body: { message } });
  expect(deploy.status).toBe(202);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const d = await h.call('GET', `/api/v1/deployments/${deploy.body.deployment.id}`, { token });
    if (d.body.deployment.commit) return d.body.deployment.commit as string;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('deploy not committed in 30 s');
}

const main = (greeting: string) => `from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"message": "${greeting}"}\n`;

beforeAll(async () => {
  h = await createHarness();
  admin = await h.signup('root');
  alice = await h.signup('alice');
  bob = await h.signup('bob');
  expect((await h.call('POST', '/api/v1/apps', { token: alice, body: { name: 'web', files: { 'main.py': main('one') }, entrypoint: 'main.py' } })).status).toBe(
    201,
  );
});

afterAll(async () => h?.close());

describe('GET /apps/:tenant/:app/releases/:commit/diff', () => {
  let first: string;
  let second: string;

  beforeAll(async () => {
    first = await deployAndWait(alice, 'web', { 'main.py': main('one') }, 'one');
    second = await deployAndWait(alice, 'web', { 'main.py': main('two'), 'static/site.css': 'body { color: red; }\n' }, 'two');
  });

  it('diffs a release against the one before: code and manifests apart', async () => {
    const res = await h.call('GET', `/api/v1/apps/alice/web/releases/${second}/diff`, { token: alice });
    expect(res.status).toBe(200);
    expect(res.body.commit).toBe(second);
    expect(res.body.previous).toBe(first);
    expect(res.body.code).toContain('-    return {"message": "one"}');
    expect(res.body.code).toContain('+    return {"message": "two"}');
    expect(res.body.code).toContain(`+++ b/${appDir({ tenant: 'alice', app: 'web' })}/code/static/site.css`);
    expect(res.body.manifests).not.toContain('/code/');
    // The new file shows up in the kustomization's configMapGenerator: a manifest change.
    expect(res.body.manifests).toContain('kustomization.yaml');
  });

  it('diffs the first release against nothing, and takes a unique 7-character prefix', async () => {
    const res = await h.call('GET', `/api/v1/apps/alice/web/releases/${first.slice(0, 7)}/diff`, { token: alice });
    expect(res.status).toBe(200);
    expect(res.body.commit).toBe(first);
    expect(res.body.previous).toBeNull();
    expect(res.body.code).toContain('new file mode');
    expect(res.body.manifests).toContain('+++ b/flux/groups/');
  });

  it('lets operators and admins read it, but not another tenant', async () => {
    expect((await h.call('GET', `/api/v1/apps/alice/web/releases/${second}/diff`, { token: admin })).status).toBe(200);
    const denied = await h.call('GET', `/api/v1/apps/alice/web/releases/${second}/diff`, { token: bob });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await h.call('GET', `/api/v1/apps/alice/web/releases/${second}/diff`)).status).toBe(401);
  });

  it('answers 404 for a commit that is not a release of this app, 400 for a malformed one', async () => {
    const skeleton = (await h.git.log('main')).at(-1)?.sha ?? '';
    const notRelease = await h.call('GET', `/api/v1/apps/alice/web/releases/${skeleton}/diff`, { token: alice });
    expect(notRelease.status).toBe(404);
    expect(notRelease.body.error.message).toContain('is not a release of alice/web');
    const bad = await h.call('GET', '/api/v1/apps/alice/web/releases/xyz/diff', { token: alice });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('prefix of at least 7 hex characters');
  });

  it('is in the OpenAPI document with its schemas', async () => {
    const doc = await h.call('GET', '/api/v1/openapi.json');
    const op = doc.body.paths['/api/v1/apps/{tenant}/{app}/releases/{commit}/diff']?.get;
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['tenant', 'app', 'commit']);
    expect(Object.keys(op.responses['200'].content['application/json'].schema.properties)).toEqual(['commit', 'previous', 'code', 'manifests']);
  });
});

describe('the web UI at /', () => {
  it('sends a strict Content-Security-Policy on API answers too', async () => {
    const res = await h.call('GET', '/api/v1/apps', { token: alice });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('serves index.html for deep links, assets with a year of caching, and never escapes its folder', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'berth-web-dir-'));
    const dir = join(parent, 'web');
    try {
      mkdirSync(join(dir, 'assets'), { recursive: true });
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
      writeFileSync(join(dir, 'assets', 'main-abc123.js'), 'console.log(1)');
      writeFileSync(join(parent, 'outside.txt'), 'secret');
      const ui = webUiRoutes(dir);
      const deep = await ui.request('/apps/alice/web', { headers: { Accept: 'text/html' } });
      expect(deep.status).toBe(200);
      expect(deep.headers.get('cache-control')).toBe('no-cache');
      expect(await deep.text()).toContain('<title>Berth</title>');
      const asset = await ui.request('/assets/main-abc123.js');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('content-type')).toContain('text/javascript');
      expect((await ui.request('/assets/missing.js')).status).toBe(404);
      expect((await ui.request('/%2e%2e/outside.txt')).status).toBe(404);
      expect((await ui.request('/api/v1/anything', { headers: { Accept: 'text/html' } })).status).toBe(404);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('says how to build the UI when it is missing', async () => {
    const res = await webUiRoutes(join(tmpdir(), 'berth-no-such-web-dir')).request('/', { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:web');
  });
});
