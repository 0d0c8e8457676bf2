import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.js';

const ROOT = join(import.meta.dirname, '..');
const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in seconds (all its threads: the Python validator's worker too). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

export interface ServerFigures {
  readonly startToIdleCpuS: number;
  readonly rssMiB: number;
  readonly readyS: number;
}

/**
 * Starts the real server (`node --import tsx src/main.ts`) on an apps
 * repository and measures the CPU it burns from start until it goes idle
 * (less than 0.05 CPU-seconds in 2 s, after /readyz answers): start-up, the
 * Python validator, and the periodic tasks that run at start (cleanup, the
 * template-upgrade check).
 */
export async function measureServer(appsRepo: string, dataDir: string): Promise<ServerFigures> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dataDir,
      APPS_REPO: appsRepo,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pid = child.pid ?? 0;
  try {
    const deadline = Date.now() + 300_000;
    let readyS = 0;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`berth exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('berth not ready in 300 s');
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) {
        readyS = (Date.now() - started) / 1000;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const window: number[] = [cpuSeconds(pid)];
    for (;;) {
      if (Date.now() > deadline) throw new Error('berth not idle in 300 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
      window.push(cpuSeconds(pid));
      if (window.length > 5) window.shift();
      const first = window[0] ?? 0;
      if (window.length === 5 && (window[4] ?? 0) - first < 0.05) return { startToIdleCpuS: Number(first.toFixed(2)), rssMiB: rssMiB(pid), readyS };
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
