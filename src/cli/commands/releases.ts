import { z } from 'zod';
import { COMMON, APP_OPTION, JSON_OPTION, parse, open, appOf, command, printJson } from '../command-kit.js';
import { EXIT_OK } from '../command.js';

export const releasesCommand = command(
  ['releases'],
  "an app's releases, read from Git",
  `Usage: berth releases [--app <name>] [--json]\n\nOptions:\n${APP_OPTION}\n${JSON_OPTION}\n${COMMON}`,
  async (args, io) => {
    const { values } = parse(args);
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    const raw = await client.json('GET', `/api/v1/apps/${app.tenant}/${app.name}/releases`);
    if (printJson(values, raw, io)) return EXIT_OK;
    const body = z
      .object({ releases: z.array(z.object({ commit: z.string(), action: z.string().optional(), author: z.string(), at: z.string(), message: z.string() })) })
      .parse(raw);
    if (body.releases.length === 0) io.out(`${app.tenant}/${app.name} has no releases yet: berth deploy`);
    for (const r of body.releases) io.out(`${r.commit.slice(0, 12)}  ${r.at}  ${(r.action ?? '-').padEnd(8)}  ${r.author}  ${r.message}`);
    return EXIT_OK;
  },
);
