import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
const deployment = parse(readFileSync(join(ROOT, 'clusters', 'base', 'berth', 'deployment.yaml'), 'utf8')) as {
  spec: { template: { spec: { securityContext: { runAsUser: number }; containers: Array<Record<string, unknown>> } } };
};
const container = deployment.spec.template.spec.containers[0] as {
  ports: Array<{ containerPort: number }>;
  env: Array<{ name: string; value?: string }>;
  securityContext: { readOnlyRootFilesystem: boolean };
  volumeMounts: Array<{ mountPath: string }>;
};
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

// No Docker engine runs here: these are the promises of Berth's Dockerfile
// (and of the Deployment that runs it) that a reader could break without noticing.
describe('Berth’s Dockerfile', () => {
  it('builds FROM one Node 20 slim base pinned by digest, honest when the digest is a placeholder', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)[\w.-]*-slim@sha256:([0-9a-f]{64})$/m.exec(dockerfile);
    expect(image, 'ARG NODE_IMAGE=node:<major>-...-slim@sha256:<digest>').not.toBeNull();
    expect(image?.[1]).toBe('20');
    if (/^0+$/.test(image?.[2] ?? '')) {
      expect(dockerfile).toMatch(/PLACEHOLDER/);
      expect(dockerfile).toContain('docker buildx imagetools inspect node:20-bookworm-slim');
    }
    expect(dockerfile.match(/^FROM /gm)?.length).toBe(2);
    expect(dockerfile).not.toMatch(/^FROM (?!\$\{NODE_IMAGE\})/m);
  });

  it('installs from the lockfile, builds the TypeScript and the web UI, and prunes dev dependencies', () => {
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toMatch(/npm run build\b/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    // The final stage takes the pruned node_modules of the build stage, not a fresh install with dev tools.
    expect(finalStage).toMatch(/^COPY --from=build \/src\/node_modules \.\/node_modules$/m);
    expect(finalStage).not.toMatch(/npm (ci|install)/);
  });

  it('copies everything Berth reads at run time, and the build context lets each in', () => {
    for (const path of ['package.json', 'dist', 'templates', 'apps-repo', 'runner/validation.py']) {
      expect(finalStage, path).toMatch(new RegExp(`^COPY (--from=build /src/)?${path.replace('.', '\\.')} \\./${path.replace('.', '\\.')}$`, 'm'));
    }
    expect(dockerignore[dockerignore.findIndex((line) => !line.startsWith('#'))]).toBe('*');
    for (const source of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'src/',
      'templates/',
      'apps-repo/',
      'runner/validation.py',
    ]) {
      expect(dockerignore, source).toContain(`!${source}`);
    }
    // Local state and secrets never enter the context.
    for (const kept of ['!.berth', '!node_modules', '!dist', '!.env']) expect(dockerignore).not.toContain(kept);
  });

  it('runs as the non-root user, on the port and with the DATA_DIR volume the Deployment expects', () => {
    expect(finalStage).toMatch(new RegExp(`^USER ${deployment.spec.template.spec.securityContext.runAsUser}:\\d+$`, 'm'));
    expect(finalStage).toMatch(new RegExp(`^EXPOSE ${container.ports[0]?.containerPort}$`, 'm'));
    const dataDir = container.env.find((e) => e.name === 'DATA_DIR')?.value;
    expect(finalStage).toContain(`DATA_DIR=${dataDir}`);
    expect(finalStage).toContain(`VOLUME ["${dataDir}"]`);
    expect(container.volumeMounts.map((m) => m.mountPath)).toEqual(expect.arrayContaining([dataDir, '/tmp']));
    // A read-only root file system: the only writable places are the volume and /tmp.
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(finalStage).toMatch(/HOME=\/tmp/);
    expect(finalStage).toMatch(/TMPDIR=\/tmp/);
  });

  it('starts node dist/main.js itself as PID 1 (exec form, no npm, no shell), so SIGTERM reaches Berth', () => {
    expect(finalStage).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(dockerfile).not.toMatch(/^(CMD|ENTRYPOINT) (?!\[)/m);
    expect(dockerfile).not.toMatch(/^(CMD|ENTRYPOINT) .*npm/m);
    expect(finalStage).toMatch(/NODE_ENV=production/);
  });
});
