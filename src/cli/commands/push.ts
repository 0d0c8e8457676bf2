import { COMMON, parse, open, command, userPath } from '../command-kit.js';
import { EXIT_OK } from '../command.js';
import { filesSummary, uploadDraft } from '../draft-upload.js';

export const pushCommand = command(
  ['push'],
  "upload a folder into the app's draft without deploying",
  `Usage: berth push [dir]

Replaces the app's draft with the folder's files (default: this folder), as berth deploy does, but
does not deploy: the web UI's editor shows it, berth deploy releases it. The same files are
refused or ignored as for berth deploy (see berth deploy --help).

Options:
${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const client = await open(values.server);
    const uploaded = await uploadDraft(client, userPath(positionals[0]));
    io.out(
      `Pushed ${filesSummary(uploaded)} into the draft of ${uploaded.tenant}/${uploaded.name}${uploaded.created ? ' (new app)' : ''}; not deployed: berth deploy releases it`,
    );
    return EXIT_OK;
  },
);
