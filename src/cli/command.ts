/**
 * What every `berth` sub-command implements. Commands return an exit code and
 * write through {@link CliIo}, so tests run them in-process and read the output.
 */

/** Where a command writes; each call is one or more whole lines. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** One sub-command, e.g. `berth repo init`. */
export interface Command {
  /** The words that select it: `['repo', 'init']`. */
  readonly name: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Full usage text, printed on `--help` and after a usage error. */
  readonly usage: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/**
 * Exit codes: 0 done; 1 the command ran and failed (e.g. the target exists);
 * 2 the invocation was wrong (unknown command or option, malformed value).
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The command line itself is wrong: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
