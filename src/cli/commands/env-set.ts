import { COMMON, APP_OPTION, parse, open, appOf, command, readSecretInput } from '../command-kit.js';
import { EXIT_OK, UsageError } from '../command.js';
import { changeDraftEnv } from '../draft-upload.js';

export const envSetCommand = command(
  ['env', 'set'],
  "set an env var of the app's draft (--secret: value from stdin or a prompt)",
  `Usage: berth env set KEY=VALUE [--app <name>]
       berth env set --secret KEY [--app <name>]   (the value: one line of stdin, or typed without echo)

A secret's value is sealed by the server and never shown again, in the CLI or the web UI.

Options:
  --secret       KEY is a secret; never put its value on the command line
${APP_OPTION}
${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const [assignment, ...rest] = positionals;
    if (!assignment || rest.length > 0) throw new UsageError(values.secret ? 'expected one KEY' : 'expected one KEY=VALUE');
    let key: string;
    let value: string | undefined;
    if (values.secret) {
      if (assignment.includes('=')) throw new UsageError('with --secret give only KEY: the value is read from stdin or a prompt, never the command line');
      key = assignment;
    } else {
      const cut = assignment.indexOf('=');
      if (cut <= 0) throw new UsageError(`expected KEY=VALUE, got "${assignment}" (for a secret: berth env set --secret KEY)`);
      key = assignment.slice(0, cut);
      value = assignment.slice(cut + 1);
    }
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    if (values.secret) {
      value = await readSecretInput(io, `value of ${key}: `);
      if (value === undefined || value === '') throw new UsageError(`no value given for ${key} (pipe one line to stdin, or type it at the prompt)`);
    }
    const entry = { value: value ?? '', secret: values.secret === true };
    await changeDraftEnv(client, app.tenant, app.name, (env) => ({ ...env, [key]: entry }));
    io.out(`Set ${key}${values.secret ? ' (secret)' : ''} on the draft of ${app.tenant}/${app.name}; berth deploy releases it`);
    return EXIT_OK;
  },
);
