import { readdir, readFile } from 'node:fs/promises';
import { OWNER_VARIABLE } from './runner-process.js';

/**
 * Runner processes a previous Berth on this DATA_DIR left behind (it was
 * killed with -9 and could not stop them): found by the owner mark in their
 * environment, which Berth sets on every runner it starts. Linux /proc only;
 * elsewhere nothing is found.
 */
export async function findOrphanRunners(owner: string): Promise<number[]> {
  const mark = Buffer.from(`${OWNER_VARIABLE}=${owner}\0`);
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`);
      if (environ.includes(mark)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or another user's process.
    }
  }
  return found;
}

/** SIGKILL: an orphan serves a stale commit to no one; there is nothing to drain. */
export async function stopOrphanRunners(owner: string): Promise<number[]> {
  const pids = await findOrphanRunners(owner);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids;
}
