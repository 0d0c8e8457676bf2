import { COMMON, APP_OPTION, JSON_OPTION, parse, open, appOf, command, printJson } from '../command-kit.js';
import { EXIT_OK } from '../command.js';
import { readDraft } from '../draft-upload.js';

export const envCommand = command(
  ['env'],
  "list the env vars of an app's draft (berth env set / unset change them)",
  `Usage: berth env [--app <name>] [--json]

Lists the draft's env vars: KEY=value, or KEY (secret) whose value never leaves the server.
  berth env set KEY=VALUE      set a plain variable
  berth env set --secret KEY   set a secret, its value read from stdin or typed without echo
  berth env unset KEY          remove one
Changes go to the draft; berth deploy releases them.

Options:
${APP_OPTION}
${JSON_OPTION}
${COMMON}`,
  async (args, io) => {
    const { values } = parse(args);
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    const draft = await readDraft(client, app.tenant, app.name);
    if (printJson(values, { env: draft.env }, io)) return EXIT_OK;
    const keys = Object.keys(draft.env).sort();
    if (keys.length === 0) io.out(`${app.tenant}/${app.name} has no env vars: berth env set KEY=VALUE`);
    for (const key of keys) {
      const variable = draft.env[key];
      io.out(variable?.secret ? `${key} (secret)` : `${key}=${variable?.value ?? ''}`);
    }
    return EXIT_OK;
  },
);
