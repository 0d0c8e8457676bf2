import { z } from 'zod';
import { COMMON, APP_OPTION, JSON_OPTION, parse, open, appOf, command, printJson } from '../command-kit.js';
import { EXIT_OK } from '../command.js';
import { describeRuntime, runtimeSchema } from '../runtime-view.js';

export const statusCommand = command(
  ['status'],
  "an app's Git and cluster status",
  `Usage: berth status [--app <name>] [--json]\n\nOptions:\n${APP_OPTION}\n${JSON_OPTION}\n${COMMON}`,
  async (args, io) => {
    const { values } = parse(args);
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    const raw = await client.json('GET', `/api/v1/apps/${app.tenant}/${app.name}/status`);
    if (printJson(values, raw, io)) return EXIT_OK;
    const body = z
      .object({
        git: z.object({ commit: z.string().nullable() }),
        runtime: runtimeSchema.optional(),
        cluster: z.object({ configured: z.boolean(), message: z.string().optional() }),
      })
      .parse(raw);
    io.out(
      `${app.tenant}/${app.name}\n  git:     ${body.git.commit ?? 'not deployed'}\n  cluster: ${body.cluster.message ?? (body.cluster.configured ? 'configured' : 'not configured')}`,
    );
    if (body.runtime) io.out(describeRuntime(body.runtime));
    return EXIT_OK;
  },
);
