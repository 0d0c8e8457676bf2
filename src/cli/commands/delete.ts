import { COMMON, parse, open, appOf, command, finishDeployment, askVisible } from '../command-kit.js';
import { EXIT_FAILED, UsageError } from '../command.js';

export const deleteCommand = command(
  ['delete'],
  'delete an app (a commit; asks first, --yes for scripts)',
  `Usage: berth delete <app> [--yes]

Removes the app from the apps repository (one commit; its releases stay in Git history).
Asks you to type the app's name to confirm; --yes skips that, and is required without a terminal.

Options:
  -y, --yes      do not ask
${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const named = positionals[0];
    if (!named || positionals.length > 1) throw new UsageError('expected the <app> to delete (or <tenant>/<app>)');
    const client = await open(values.server);
    const app = await appOf(client, named);
    if (!values.yes) {
      const answer = await askVisible(io, `Delete ${app.tenant}/${app.name}? Type its name (${app.name}) to confirm: `);
      if (answer === undefined) throw new UsageError(`not deleting ${app.tenant}/${app.name} without confirmation: no terminal to ask on, pass --yes`);
      if (answer.trim() !== app.name) {
        io.err(`Not deleted: "${answer.trim()}" is not ${app.name}`);
        return EXIT_FAILED;
      }
    }
    const accepted = await client.json('DELETE', `/api/v1/apps/${app.tenant}/${app.name}`);
    return finishDeployment(client, accepted, io, () => `Deleting ${app.tenant}/${app.name}`);
  },
);
