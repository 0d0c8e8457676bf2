import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EXIT_CODE_HELP, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from './command.js';
import { reportError } from './error-report.js';
import { COMMANDS } from './commands/index.js';

const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * The `berth` command line. bin/berth.js calls it with `process.argv.slice(2)`
 * and exits with the code it resolves to; it never calls process.exit itself,
 * so tests run it in-process.
 */
export async function main(argv: string[], io: CliIo = processIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === 'help' || first === '-h' || first === '--help') {
    (first === undefined ? io.err : io.out)(generalUsage(commands));
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = findCommand(argv, commands);
  if (!command) {
    io.err(`error: unknown command "berth ${argv.filter((a) => !a.startsWith('-')).join(' ')}"\n\n${generalUsage(commands, argv)}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(argv.slice(command.name.length), io);
  } catch (err) {
    return reportError(err, command, io, process.env.BERTH_DEBUG === '1');
  }
}

/** The command whose name is the longest prefix of argv. */
function findCommand(argv: readonly string[], commands: readonly Command[]): Command | undefined {
  const matches = commands.filter((c) => c.name.every((word, i) => argv[i] === word));
  return matches.sort((a, b) => b.name.length - a.name.length)[0];
}

function generalUsage(commands: readonly Command[], argv: readonly string[] = []): string {
  // After `berth repo`, list only the repo commands; otherwise all of them.
  const scoped = commands.filter((c) => c.name[0] === argv[0]);
  const shown = scoped.length > 0 ? scoped : commands;
  const width = Math.max(...shown.map((c) => c.name.join(' ').length));
  const lines = shown.map((c) => `  berth ${c.name.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'Usage: berth <command> [options]   (berth <command> --help for details)',
    '',
    'Commands:',
    ...lines,
    '',
    'Read commands take --json for scripts. Run from an app folder (berth.json), also via npm run -s berth -- <command>.',
    '',
    EXIT_CODE_HELP,
  ].join('\n');
}

/** `npm run berth -- ...` runs this file directly with tsx; bin/berth.js imports it instead. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = EXIT_FAILED;
    },
  );
}
