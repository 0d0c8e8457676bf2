import { COMMON, APP_OPTION, parse, open, appOf, command, finishDeployment } from '../command-kit.js';
import { printAwaitingReview } from './review.js';
import { UsageError } from '../command.js';

export const rollbackCommand = command(
  ['rollback'],
  'restore an app as of a release commit',
  `Usage: berth rollback <commit> [--app <name>]

<commit> is a release's id or any unique prefix of at least 7 characters (berth releases prints 12).

Options:
${APP_OPTION}
${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const to = positionals[0]?.toLowerCase();
    if (!to || !/^[0-9a-f]{7,40}$/.test(to))
      throw new UsageError('expected a <commit>: a release id or a prefix of at least 7 hex characters (berth releases lists them)');
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    const accepted = await client.json('POST', `/api/v1/apps/${app.tenant}/${app.name}/rollback`, { to });
    return finishDeployment(client, accepted, io, () => `Rolling back ${app.tenant}/${app.name} to ${to.slice(0, 12)}`, {
      wait: false,
      awaiting: (final) => printAwaitingReview(client, final.changeRequest, io),
    });
  },
);
