import { z } from 'zod';
import { COMMON, JSON_OPTION, parse, open, command, printJson } from '../command-kit.js';
import { EXIT_OK } from '../command.js';

export const appsCommand = command(['apps'], 'list your apps', `Usage: berth apps [--json]\n\nOptions:\n${JSON_OPTION}\n${COMMON}`, async (args, io) => {
  const { values } = parse(args);
  const client = await open(values.server);
  const raw = await client.json('GET', '/api/v1/apps');
  if (printJson(values, raw, io)) return EXIT_OK;
  const body = z
    .object({ apps: z.array(z.object({ tenant: z.string(), name: z.string(), url: z.string(), live: z.object({ commit: z.string() }).optional() })) })
    .parse(raw);
  if (body.apps.length === 0) io.out('No apps yet: berth init <dir> --template hello');
  for (const app of body.apps) io.out(`${`${app.tenant}/${app.name}`.padEnd(40)} ${app.live ? app.live.commit.slice(0, 12) : 'not deployed'}  ${app.url}`);
  return EXIT_OK;
});
