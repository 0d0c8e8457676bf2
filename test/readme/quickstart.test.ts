import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The README's shell quick start, run as written, in a fresh clone of this
 * repository's HEAD (commit first: uncommitted changes are not in the clone),
 * from the clone's root as the README says. It runs in private mount and
 * network namespaces (unshare -mn, as root) so that localhost:8080 and
 * /tmp/hello are its own. node_modules is the checkout's (what `npm ci` would
 * install from the same lockfile; the test does not reinstall from the registry).
 */

const ROOT = join(import.meta.dirname, '..', '..');
const canUnshare = spawnSync('unshare', ['-mn', 'true']).status === 0;
if (!canUnshare) {
  const message = 'README quick start test needs `unshare -mn` (root, util-linux)';
  if (process.env.CI === 'true') throw new Error(`${message}; CI must provide it`);
  console.warn(`SKIPPED: ${message}`);
}

let clone: string | undefined;
afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.skipIf(!canUnshare)('the README quick start', () => {
  it('runs as written in a fresh clone: sign up, login from a pipe, templates, init, deploy, status (also from the app folder), the app, logs, releases, git log', async () => {
    // Outside /tmp: the namespace mounts its own /tmp.
    clone = mkdtempSync('/var/tmp/berth-readme-');
    rmSync(clone, { recursive: true });
    expect(spawnSync('git', ['clone', '-q', ROOT, clone]).status).toBe(0);
    // A copy of hard links, not a symlink: the namespace mounts its own /tmp, and the checkout may live under /tmp (CI's does).
    const linked = spawnSync('cp', ['-al', join(ROOT, 'node_modules'), join(clone, 'node_modules')]);
    if (linked.status !== 0) cpSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    // `npm ci` builds the web UI (prepare); the checkout's build stands in for it when present, else npm start builds it.
    if (existsSync(join(ROOT, 'dist', 'web', 'index.html'))) cpSync(join(ROOT, 'dist', 'web'), join(clone, 'dist', 'web'), { recursive: true });

    const { code, output } = await run('unshare', ['-mn', 'bash', join(clone, 'test', 'readme', 'quickstart.sh'), clone], clone, 240_000);
    expect(code, output).toBe(0);
    const result = output.slice(output.indexOf('--- output:'));
    expect(result).toContain('"alice"');
    expect(result).not.toContain('password:');
    expect(result).toContain('Created /tmp/hello (app hello, from hello). Next: berth deploy /tmp/hello');
    expect(result).toMatch(/^Deploying alice\/hello \(1 file\), deployment \S+$/m);
    expect(result).toMatch(/^ready as [0-9a-f]{40}$/m);
    expect(result.match(/^alice\/hello$/gm)).toHaveLength(2);
    expect(result).toContain('url:     http://hello--alice.apps.localhost:8080/');
    expect(result).toContain('{"message":"Hello from Berth!"}');
    expect(result).toMatch(/"event": "request", "method": "GET", "path": "\/", "status": 200/);
    expect(result).toMatch(/^[0-9a-f]{12} {2}\S+ {2}deploy {4}alice {2}deploy alice\/hello$/m);
    expect(result).toMatch(/^[0-9a-f]{7} alice deploy alice\/hello$/m);
  }, 300_000);
});
