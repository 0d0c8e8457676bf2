import { z } from 'zod';
import { COMMON, parse, open, appOf, command } from '../command-kit.js';
import { EXIT_OK } from '../command.js';

export const releasesCommand = command(
  ['releases'],
  "an app's releases, read from Git",
  `Usage: berth releases [--app <name>]\n\nOptions:\n  --app <name>  the app (default: berth.json here)\n${COMMON}`,
  async (args, io) => {
    const { values } = parse(args);
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    const body = z
      .object({ releases: z.array(z.object({ commit: z.string(), action: z.string().optional(), author: z.string(), at: z.string(), message: z.string() })) })
      .parse(await client.json('GET', `/api/v1/apps/${app.tenant}/${app.name}/releases`));
    for (const r of body.releases) io.out(`${r.commit.slice(0, 12)}  ${r.at}  ${(r.action ?? '-').padEnd(8)}  ${r.author}  ${r.message}`);
    return EXIT_OK;
  },
);
