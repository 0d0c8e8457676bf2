import { z } from 'zod';
import { COMMON, parse, str, open, command } from '../command-kit.js';
import { EXIT_OK, UsageError } from '../command.js';
import { writeAppDir } from '../app-dir.js';

export const initCommand = command(
  ['init'],
  'create an app folder from a starter template',
  `Usage: berth init <dir> --template <id> [--name <app>]\n\nOptions:\n  --template <id>  a starter (GET /templates lists them)\n  --name <app>     app name (default: the folder's name)\n${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const dir = positionals[0];
    const template = str(values.template);
    if (!dir || !template) throw new UsageError('expected <dir> and --template <id>');
    const client = await open(values.server);
    const body = z
      .object({ templates: z.array(z.object({ id: z.string(), files: z.record(z.string(), z.string()), entrypoint: z.string() })) })
      .parse(await client.json('GET', '/api/v1/templates'));
    const starter = body.templates.find((t) => t.id === template);
    if (!starter) throw new UsageError(`no template ${template}; there are: ${body.templates.map((t) => t.id).join(', ')}`);
    const app = await writeAppDir(dir, str(values.name), starter.files, starter.entrypoint);
    io.out(`Created ${dir} (app ${app.name}, from ${template}). Next: berth deploy ${dir}`);
    return EXIT_OK;
  },
);
