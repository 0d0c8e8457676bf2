/** `berth sleep` and `berth wake`: one commit each (replicas 0 or 1), made by the server at once. */
import { z } from 'zod';
import { COMMON, APP_OPTION, parse, open, appOf, command } from './command-kit.js';
import { EXIT_OK, type Command } from './command.js';

export function lifecycleCommand(action: 'sleep' | 'wake', summary: string): Command {
  return command([action], summary, `Usage: berth ${action} [--app <name>]\n\nOptions:\n${APP_OPTION}\n${COMMON}`, async (args, io) => {
    const { values } = parse(args);
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    const result = z
      .object({ status: z.string(), commit: z.string().nullable() })
      .parse(await client.json('POST', `/api/v1/apps/${app.tenant}/${app.name}/${action}`));
    const done = action === 'sleep' ? 'asleep (replicas 0)' : 'awake (replicas 1)';
    io.out(
      result.status === 'unchanged'
        ? `no changes: ${app.tenant}/${app.name} is already ${action === 'sleep' ? 'asleep' : 'awake'}`
        : `${app.tenant}/${app.name} is ${done}${result.commit ? `, committed as ${result.commit}` : ''}`,
    );
    return EXIT_OK;
  });
}
