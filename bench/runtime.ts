/**
 * The runtime half of `npm run bench`, on the embedded default (local
 * runtime, real server, Debian's python3-fastapi): deploy request → the app
 * answering the new code through Berth's port by Host, and the proxy's
 * overhead per request against calling the runner process directly.
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { call, startBerth } from './service.js';
import { fmt, percentile } from './stats.js';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(port: number, host: string | undefined, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: host ? { host } : {}, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const code = (marker: string) => ({
  'main.py': `from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"v": "${marker}"}\n`,
});

export async function benchRuntime(quick: boolean): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-runtime-'));
  let child: ChildProcess | undefined;
  try {
    const started = await startBerth(dataDir, { RUNTIME: 'auto' });
    child = started.child;
    const { url, port } = started;
    const host = `api--bench.apps.localhost:${port}`;
    const token = (
      await call(url, 'POST', '/api/v1/auth/signup', undefined, { username: 'bench', email: 'bench@bench.invalid', password: 'correct horse battery staple' })
    ).json.accessToken as string;
    await call(url, 'POST', '/api/v1/apps', token, { name: 'api', files: code('created'), entrypoint: 'main.py' });

    /** PUT the draft (untimed); time POST deploy until Berth's port answers with the new code. */
    async function deployUntilAnswered(marker: string): Promise<number> {
      const draft = await call(url, 'PUT', '/api/v1/apps/bench/api/draft', token, { files: code(marker), entrypoint: 'main.py', env: {} });
      if (draft.status !== 200) throw new Error(`draft: ${draft.status}`);
      const start = performance.now();
      const accepted = await call(url, 'POST', '/api/v1/apps/bench/api/deploy', token, {});
      if (accepted.status !== 202) throw new Error(`deploy: ${accepted.status} ${JSON.stringify(accepted.json)}`);
      const deadline = start + 30_000;
      for (;;) {
        const res = await get(port, host).catch(() => ({ status: 0, body: '' }));
        if (res.status === 200 && res.body.includes(marker)) return performance.now() - start;
        if (performance.now() > deadline) throw new Error(`${marker} not answering after 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }

    await deployUntilAnswered('warm'); // the validator (Pyodide) loads at start
    const rounds = quick ? 8 : 30;
    const deploys: number[] = [];
    for (let i = 0; i < rounds; i++) deploys.push(await deployUntilAnswered(`d${i}`));

    // The runner's own port, from the runtime's events ("process N on 127.0.0.1:PORT").
    const events = (await call(url, 'GET', '/api/v1/apps/bench/api/events', token)).json.events as Array<{ reason: string; message: string }>;
    const direct = Number(/127\.0\.0\.1:(\d+)/.exec(events.filter((e) => e.reason === 'Started').at(-1)?.message ?? '')?.[1]);
    const requests = quick ? 300 : 2_000;
    const time = async (target: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < requests; i++) {
        const start = performance.now();
        await target();
        samples.push(performance.now() - start);
      }
      return samples;
    };
    await time(() => get(direct, undefined)); // warm both paths
    await time(() => get(port, host));
    const viaRunner = await time(() => get(direct, undefined));
    const viaBerth = await time(() => get(port, host));
    const overhead = percentile(viaBerth, 50) - percentile(viaRunner, 50);
    return [
      'deploy request → the new code answering through Berth by Host (embedded default, local runtime, real server):',
      `  p50 ${fmt(percentile(deploys, 50))} ms  p95 ${fmt(percentile(deploys, 95))} ms  (n=${deploys.length})`,
      `app proxy, GET / sequentially with keep-alive (n=${requests} each): direct to the runner p50 ${percentile(viaRunner, 50).toFixed(2)} ms, through Berth p50 ${percentile(viaBerth, 50).toFixed(2)} ms → overhead p50 ${overhead.toFixed(2)} ms (p95 ${percentile(viaRunner, 95).toFixed(2)} vs ${percentile(viaBerth, 95).toFixed(2)} ms)`,
    ];
  } finally {
    agent.destroy();
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await new Promise((resolve) => child?.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
