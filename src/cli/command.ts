/**
 * What every `berth` sub-command implements. Commands return an exit code and
 * write through {@link CliIo}, so tests run them in-process and read the output.
 */

/** Where a command writes; each call is one or more whole lines. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** One line of input (a password, a secret value, a confirmation); default: stdin. Tests pass it in. */
  readLine?(): Promise<string | undefined>;
  /** Whether input is a terminal a person types at (prompts, no echo); default: process.stdin.isTTY. */
  readonly interactive?: boolean;
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
 * Exit codes, one per class of failure, so scripts can tell them apart
 * (listed by `berth --help`, see EXIT_CODE_HELP).
 */
export const EXIT_OK = 0;
/** The command ran and its operation failed (a deploy that failed, an unexpected server error). */
export const EXIT_FAILED = 1;
/** The invocation was wrong: unknown command or option, a malformed value, a name the server would refuse. */
export const EXIT_USAGE = 2;
/** Not logged in, the login expired, or the account may not do this (HTTP 401/403). */
export const EXIT_AUTH = 3;
/** The server refused the input: invalid code or files, unknown app or commit, a conflict (HTTP 4xx). */
export const EXIT_REFUSED = 4;
/** The server could not be reached, timed out, or is unavailable (HTTP 502/503/504, 429). */
export const EXIT_UNAVAILABLE = 5;

export const EXIT_CODE_HELP = `Exit codes:
  0  done
  1  the operation failed (e.g. the deploy failed; an unexpected server error)
  2  usage: unknown command or option, malformed value, a name the server would refuse
  3  auth: not logged in, login expired, or not allowed (HTTP 401/403)
  4  refused: the server refused the input (invalid code or files, unknown app or commit, conflict)
  5  unavailable: the server could not be reached, timed out, or is busy (HTTP 429/502/503/504)`;

/** The command line itself is wrong: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Input the CLI itself refuses before sending it (files it cannot upload): exit code 4, like the server's refusals. */
export class RefusedError extends Error {
  constructor(
    message: string,
    readonly lines: readonly string[] = [],
  ) {
    super(message);
    this.name = 'RefusedError';
  }
}
