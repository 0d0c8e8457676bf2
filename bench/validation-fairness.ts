/**
 * Fair validation: one user's burst of large validations against another
 * user's deploy. Reports the victim's p50/p95 quiet and under the burst,
 * through the validator pool (the API's path), and once through a single
 * Pyodide worker in arrival order (what Berth did before) for contrast.
 *
 * `npm run bench -- --validation-only [--quick]` runs this part alone.
 */
import { availableParallelism, loadavg } from 'node:os';
import { RateLimitError } from '../src/errors.js';
import { createPythonValidator, type PythonValidator } from '../src/adapters/pyodide/python-validator.js';
import { createValidatorPool, defaultPoolSize, type ValidatorPool } from '../src/adapters/pyodide/validator-pool.js';
import { fmt, percentile, timeMs } from './stats.js';

/** An app of about `kilobytes` KB in files of at most 95 KB: what a burst sends. */
export function largeApp(kilobytes: number, salt: string): Record<string, string> {
  const files: Record<string, string> = { 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' };
  let left = kilobytes * 1024;
  for (let f = 0; left > 0; f += 1) {
    const lines: string[] = [`# ${salt} ${f}\n`];
    let size = 0;
    for (let i = 0; size < Math.min(95 * 1024, left); i += 1) {
      const line = `def handler_${i}(item_id: int, q: str = "x") -> dict:\n    return {"id": item_id, "n": ${i}, "q": q}\n`;
      lines.push(line);
      size += line.length;
    }
    files[`part_${f}.py`] = lines.join('');
    left -= size;
  }
  return files;
}

/** A typical app (a few KB) whose content differs per `salt`, so no verdict is cached. */
export function typicalApp(salt: string): Record<string, string> {
  const routes = Array.from({ length: 40 }, (_, i) => `@app.get("/items/${i}")\ndef item_${i}(q: str = "${salt}"):\n    return {"n": ${i}, "q": q}\n`);
  return { 'main.py': `from fastapi import FastAPI\napp = FastAPI()\n\n${routes.join('\n')}` };
}

type Validate = (files: Record<string, string>, user: string, purpose: 'deploy' | 'edit') => Promise<unknown>;

/** The victim's latencies while `attacker` keeps `parallel` large validations going. */
async function underBurst(validate: Validate, samples: number, parallel: number, tag: string): Promise<{ victim: number[]; refused: number; served: number }> {
  let stop = false;
  let refused = 0;
  let served = 0;
  let n = 0;
  // Built once: a client makes its files, the server does not. Each call differs in main.py only, so none is cached.
  const base = largeApp(480, tag);
  const attacker = async (): Promise<void> => {
    while (!stop) {
      try {
        await validate({ ...base, 'main.py': `${base['main.py'] ?? ''}# call ${n++}\n` }, 'mallory', 'edit');
        served += 1;
      } catch (error) {
        if (!(error instanceof RateLimitError)) throw error;
        refused += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const burst = Array.from({ length: parallel }, attacker);
  await new Promise((resolve) => setTimeout(resolve, 300)); // the burst is under way first
  const victim: number[] = [];
  for (let s = 0; s < samples; s++) victim.push((await timeMs(() => validate(typicalApp(`${tag}-v${s}`), 'alice', 'deploy')))[0]);
  stop = true;
  await Promise.all(burst);
  return { victim, refused, served };
}

async function quietly(validate: Validate, samples: number, tag: string): Promise<number[]> {
  const out: number[] = [];
  for (let s = 0; s < samples; s++) out.push((await timeMs(() => validate(typicalApp(`${tag}-q${s}`), 'alice', 'deploy')))[0]);
  return out;
}

export async function benchValidationFairness(quick: boolean): Promise<string[]> {
  const samples = quick ? 5 : 10;
  const rounds = quick ? 2 : 3;
  const parallel = 12;
  const size = defaultPoolSize();
  const pool: ValidatorPool = createValidatorPool({ timeoutMs: 60_000, size });
  await pool.ready;
  const viaPool: Validate = (files, user, purpose) => pool.validate(files, 'main.py', undefined, { user, purpose });
  const [burstOneMs] = await timeMs(() => viaPool(largeApp(480, 'warm'), 'warm', 'edit'));
  await quietly(viaPool, 2, 'warm');
  // Quiet and burst phases alternate, so a change in the machine's other load hits both alike.
  const quiet: number[] = [];
  const victim: number[] = [];
  let served = 0;
  let refused = 0;
  for (let round = 0; round < rounds; round += 1) {
    quiet.push(...(await quietly(viaPool, samples, `pool-${round}`)));
    const busy = await underBurst(viaPool, samples, parallel, `pool-${round}`);
    victim.push(...busy.victim);
    served += busy.served;
    refused += busy.refused;
  }
  await pool.close();
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  const lines = [
    `validation fairness (${availableParallelism()} cores, load average ${load}): victim = one deploy's validation of a typical app; burst = another user's ${parallel} parallel validations of 480 KB apps (${fmt(burstOneMs)} ms each alone)`,
    `pool of ${size} Pyodide workers (fair queue, per-user limit, cache), ${quiet.length} victim samples each:`,
    `  victim quiet p50 ${fmt(percentile(quiet, 50))} ms  p95 ${fmt(percentile(quiet, 95))} ms`,
    `  victim under burst p50 ${fmt(percentile(victim, 50))} ms  p95 ${fmt(percentile(victim, 95))} ms  (p95 ${(percentile(victim, 95) / percentile(quiet, 95)).toFixed(2)}x quiet; the burst had ${served} served, ${refused} answered 429)`,
  ];
  // Before: one worker, calls in arrival order. One or two samples are enough to show it.
  const single: PythonValidator = createPythonValidator({ timeoutMs: 120_000 });
  await single.ready;
  const viaSingle: Validate = (files) => single.validate(files, 'main.py');
  const before = await underBurst(viaSingle, quick ? 1 : 2, parallel, 'single');
  await single.close();
  lines.push(`one worker in arrival order (before): victim under burst ${before.victim.map((ms) => `${fmt(ms)} ms`).join(', ')}`);
  return lines;
}
