import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { upgradeLayout } from '../../adapters/git/layout-upgrade.js';
import { EXIT_OK, UsageError, type CliIo, type Command } from '../command.js';

const usage = `Usage: berth repo upgrade <gitdir> [--branch main] [--dry-run] [--author "Name <email>"]

Moves an apps repository written before tenants/ was sharded
(tenants/<tenant>/<app>/) to tenants/<gg>/<tenant>/<app>/, <gg> being the
tenant's group as under flux/groups/, in one commit on <branch>. Only paths
change: the folders move, each app's kustomization.yaml reaches
components/runner one level further up, and each app's Flux Kustomization
keeps its name and gets the new spec.path, so Flux prunes and recreates
nothing. Run it on a clone, review with \`git show -M --stat\`, then push.
Without a legacy folder it does nothing.

Options:
  --branch <name>           the branch to upgrade (default: main)
  --dry-run                 count what would move, write nothing
  --author "Name <email>"   author of the commit (default: Berth <berth@localhost>)
  -h, --help                show this help

Exit codes: 0 upgraded or nothing to do; 1 failed (e.g. the branch moved meanwhile); 2 bad arguments.`;

/** `berth repo upgrade`: move an apps repository to the sharded tenants/ layout. */
export const repoUpgradeCommand: Command = {
  name: ['repo', 'upgrade'],
  summary: 'move an apps repository to the sharded tenants/<gg>/ layout, in one commit',
  usage,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        strict: true,
        options: { branch: { type: 'string' }, 'dry-run': { type: 'boolean' }, author: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      });
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(usage);
      return EXIT_OK;
    }
    if (positionals.length !== 1 || !positionals[0]) throw new UsageError('expected exactly one <gitdir>');
    const match = /^\s*([^<>]+?)\s*<([^<>\s]+)>\s*$/.exec(values.author ?? 'Berth <berth@localhost>');
    if (!match?.[1] || !match[2]) throw new UsageError('--author must look like "Name <email>"');
    const gitdir = resolve(positionals[0]);
    const result = await upgradeLayout({
      gitdir,
      author: { name: match[1], email: match[2] },
      ...(values.branch ? { branch: values.branch } : {}),
      ...(values['dry-run'] ? { dryRun: true } : {}),
    });
    const superseded = result.superseded > 0 ? `, ${result.superseded} stale old folder(s) removed` : '';
    if (result.commit)
      io.out(
        `Moved ${result.moved} app(s)${superseded}: ${result.commit}\nReview: git --git-dir=${JSON.stringify(gitdir)} show -M --stat ${result.commit.slice(0, 12)}`,
      );
    else if (values['dry-run']) io.out(`Would move ${result.moved} app(s)${superseded.replace('removed', 'to remove')}; nothing written.`);
    else io.out('Already in the sharded layout: nothing to do.');
    return EXIT_OK;
  },
};
