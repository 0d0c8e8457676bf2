import { COMMON, APP_OPTION, parse, open, appOf, command } from '../command-kit.js';
import { EXIT_OK, RefusedError, UsageError } from '../command.js';
import { changeDraftEnv } from '../draft-upload.js';

export const envUnsetCommand = command(
  ['env', 'unset'],
  "remove an env var from the app's draft",
  `Usage: berth env unset KEY [--app <name>]\n\nOptions:\n${APP_OPTION}\n${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const key = positionals[0];
    if (!key || positionals.length > 1) throw new UsageError('expected one KEY');
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    await changeDraftEnv(client, app.tenant, app.name, (env) => {
      if (!(key in env)) throw new RefusedError(`${app.tenant}/${app.name} has no env var ${key} (berth env lists them)`);
      const { [key]: _removed, ...rest } = env;
      return rest;
    });
    io.out(`Removed ${key} from the draft of ${app.tenant}/${app.name}; berth deploy releases it`);
    return EXIT_OK;
  },
);
