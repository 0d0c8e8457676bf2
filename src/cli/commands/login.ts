import { COMMON, parse, str, open, command, readPassword } from '../command-kit.js';
import { EXIT_OK, UsageError } from '../command.js';

export const loginCommand = command(
  ['login'],
  'log in and keep the token in your config dir (mode 0600)',
  `Usage: berth login --username <name> [--server <url>]\n\nReads the password from BERTH_PASSWORD or one line of stdin.\n\nOptions:\n  --username <name>\n${COMMON}`,
  async (args, io) => {
    const { values } = parse(args);
    const username = str(values.username);
    if (!username) throw new UsageError('--username is required');
    const client = await open(values.server);
    await client.login(username, await readPassword(io));
    io.out(`Logged in to ${client.server} as ${username}`);
    return EXIT_OK;
  },
);
