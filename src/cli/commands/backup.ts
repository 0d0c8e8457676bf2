import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackup, restoreBackup } from '../../adapters/backup/embedded-backup.js';
import { loadConfig } from '../../config.js';
import { EXIT_OK, UsageError, type CliIo, type Command } from '../command.js';

const backupUsage = `Usage: berth backup <file>

Writes a backup of the embedded deployment (DATA_DIR, read from the same
environment as the server) to <file>: the SQLite store (users, drafts,
sealed secrets, deployments, audit events) by SQLite's online backup, safe
while Berth runs; the apps repository; and the signing and secret-box keys
when they live in DATA_DIR. Keys given as SIGNING_KEY_JWK / SECRET_BOX_KEY
are not in it: keep them separately (without the secret-box key the sealed
secrets cannot be opened). The file holds secrets and is written mode 0600.
With MONGODB_URI, use mongodump instead (see the README).

Exit codes: 0 written; 1 failed; 2 bad arguments.`;

const restoreUsage = `Usage: berth restore <file> [--force]

Restores a backup made by \`berth backup\` into DATA_DIR (and APPS_REPO).
Stop Berth first. An existing store is only replaced with --force.

Exit codes: 0 restored; 1 failed; 2 bad arguments.`;

function fileArg(args: readonly string[], usage: string, withForce: boolean): { file: string; force: boolean } | 'help' {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, ...(withForce ? { force: { type: 'boolean' } } : {}) },
    strict: true,
  });
  if (values.help) return 'help';
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`expected exactly one <file>\n\n${usage}`);
  return { file: resolve(positionals[0]), force: Boolean((values as { force?: boolean }).force) };
}

function paths() {
  // The CLI reads the server's own environment: the same DATA_DIR and APPS_REPO.
  const config = loadConfig(process.env);
  if (config.mongo) throw new Error('MONGODB_URI is set: the store is MongoDB; back it up with mongodump (see the README)');
  return { dataDir: config.dataDir, appsRepo: config.appsRepo };
}

export const backupCommand: Command = {
  name: ['backup'],
  summary: 'back up the embedded store, apps repository and keys to a file',
  usage: backupUsage,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = fileArg(args, backupUsage, false);
    if (parsed === 'help') {
      io.out(backupUsage);
      return EXIT_OK;
    }
    const summary = await createBackup(paths(), parsed.file);
    const keys = summary.keys.length > 0 ? `keys: ${summary.keys.join(', ')}` : 'no keys (they come from the environment: keep them separately)';
    io.out(`Wrote ${summary.file} (${summary.bytes} bytes): store, ${summary.repoFiles} apps-repository files, ${keys}`);
    return EXIT_OK;
  },
};

export const restoreCommand: Command = {
  name: ['restore'],
  summary: 'restore a backup into DATA_DIR (Berth stopped)',
  usage: restoreUsage,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = fileArg(args, restoreUsage, true);
    if (parsed === 'help') {
      io.out(restoreUsage);
      return EXIT_OK;
    }
    const summary = await restoreBackup(paths(), parsed.file, { force: parsed.force });
    io.out(`Restored ${summary.file}: store, ${summary.repoFiles} apps-repository files, ${summary.keys.length} key files. Start Berth.`);
    return EXIT_OK;
  },
};
