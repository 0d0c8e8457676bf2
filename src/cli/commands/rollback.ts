import { z } from 'zod';
import { COMMON, parse, open, appOf, command, followTimeline, deploymentSchema } from '../command-kit.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../command.js';

export const rollbackCommand = command(
  ['rollback'],
  'restore an app as of a release commit',
  `Usage: berth rollback <commit> [--app <name>]\n\nOptions:\n  --app <name>  the app (default: berth.json here)\n${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const to = positionals[0];
    if (!to || !/^[0-9a-f]{40}$/.test(to)) throw new UsageError('expected the full 40-character <commit> (berth releases lists them)');
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    const deployment = z
      .object({ deployment: deploymentSchema })
      .parse(await client.json('POST', `/api/v1/apps/${app.tenant}/${app.name}/rollback`, { to })).deployment;
    io.out(`Rolling back ${app.tenant}/${app.name} to ${to.slice(0, 12)}`);
    const final = await followTimeline(client, deployment.id, io);
    io.out(`${final.status}${final.commit ? ` as ${final.commit}` : ''}`);
    return final.status === 'failed' ? EXIT_FAILED : EXIT_OK;
  },
);
