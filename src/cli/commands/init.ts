import { COMMON, parse, str, open, command } from '../command-kit.js';
import { EXIT_OK, UsageError } from '../command.js';
import { writeAppDir } from '../app-dir.js';
import { chooseStarter, needsNotice } from './templates.js';

export const initCommand = command(
  ['init'],
  'create an app folder from a starter template',
  `Usage: berth init <dir> --template <id> [--name <app>]\n\nOptions:\n  --template <id>  a starter (berth templates lists them)\n  --name <app>     app name (default: the folder's name)\n${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const dir = positionals[0];
    const template = str(values.template);
    if (!dir) throw new UsageError('expected <dir> and --template <id>');
    const starter = await chooseStarter(await open(values.server), template);
    for (const line of needsNotice(starter)) io.out(line);
    const app = await writeAppDir(dir, str(values.name), starter.files, starter.entrypoint);
    io.out(`Created ${dir} (app ${app.name}, from ${template}). Next: berth deploy ${dir}`);
    return EXIT_OK;
  },
);
