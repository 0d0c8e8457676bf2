import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { errorCode } from '../adapters/fs/errno.js';

const NODE_ID_FILE = 'node-id';
const NODE_ID_PATTERN = /^node-[0-9a-f-]{36}$/;

/**
 * A lease owner id that survives restarts of this node: kept in
 * `$DATA_DIR/node-id`, created on first use. Give it to the job runner with
 * `releaseOwnLeasesOnStart` so that after a crash (kill -9, OOM, power loss)
 * the restarted process takes its unfinished jobs back at once instead of
 * waiting for their leases to expire.
 *
 * Only one process may run per DATA_DIR: two processes sharing it would share
 * the id and could release each other's leases. That would cost duplicate
 * work, not duplicate commits (deploys are idempotent per request id), but it
 * is still a misconfiguration. Replicas without a persistent DATA_DIR should
 * use a fresh random owner per start and rely on lease expiry instead.
 */
export function readNodeId(dataDir: string): string {
  const file = join(dataDir, NODE_ID_FILE);
  try {
    return checked(readFileSync(file, 'utf8').trim(), file);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const id = `node-${randomUUID()}`;
  try {
    // `wx`: if another start raced us here, its id wins and we read it back.
    writeFileSync(file, `${id}\n`, { flag: 'wx', mode: 0o600 });
    return id;
  } catch (error) {
    if (!isExisting(error)) throw error;
    return checked(readFileSync(file, 'utf8').trim(), file);
  }
}

/** A random owner id for one process start, for replicas that keep no state between starts. */
export function randomOwnerId(prefix = 'worker'): string {
  return `${prefix}-${randomUUID()}`;
}

function checked(id: string, file: string): string {
  if (!NODE_ID_PATTERN.test(id)) throw new InputError(`${file} does not hold a node id; delete it and Berth writes a new one`);
  return id;
}

function isMissing(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}

function isExisting(error: unknown): boolean {
  return errorCode(error) === 'EEXIST';
}
