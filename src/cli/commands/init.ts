import { basename } from 'node:path';
import { COMMON, parse, str, open, command, userPath } from '../command-kit.js';
import { EXIT_OK, UsageError } from '../command.js';
import { writeAppDir } from '../app-dir.js';
import { nameProblem } from '../../domain/name-rule.js';
import { chooseStarter, needsNotice } from './templates.js';

export const initCommand = command(
  ['init'],
  'create an app folder from a starter template',
  `Usage: berth init <dir> --template <id> [--name <app>]

The app's name must follow the server's rule (lower-case letters, digits and single hyphens,
a letter first, at most 30 characters); it is checked before anything is written.

Options:
  --template <id>  a starter (berth templates lists them)
  --name <app>     app name (default: the folder's name)
${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const dir = positionals[0];
    const template = str(values.template);
    if (!dir) throw new UsageError('expected <dir> and --template <id>');
    const root = userPath(dir);
    const name = str(values.name) ?? basename(root);
    const problem = nameProblem(name);
    if (problem) {
      throw new UsageError(`app name "${name}" ${problem}${str(values.name) ? '' : ' (it comes from the folder name; pass --name <app> to choose another)'}`);
    }
    const starter = await chooseStarter(await open(values.server), template);
    for (const line of needsNotice(starter)) io.out(line);
    const app = await writeAppDir(root, name, starter.files, starter.entrypoint);
    io.out(`Created ${dir} (app ${app.name}, from ${template}). Next: berth deploy ${dir}`);
    return EXIT_OK;
  },
);
