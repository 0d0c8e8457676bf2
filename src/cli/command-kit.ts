/** What the app commands in src/cli/commands share: options, parsing, the client, the timeline printer. */
import { createInterface } from 'node:readline';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ApiClient, ApiError } from './api-client.js';
import { readAppFile } from './app-dir.js';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliIo, type Command } from './command.js';
import { sseEvents } from './sse-events.js';

export const COMMON = `  --server <url>   the Berth server (default: BERTH_SERVER, the logged-in server, or http://127.0.0.1:8080)
  -h, --help       show this help`;

/** One option table for these commands (each usage text says which apply). */
export const OPTIONS = {
  server: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  username: { type: 'string' },
  template: { type: 'string' },
  name: { type: 'string' },
  message: { type: 'string' },
  app: { type: 'string' },
  tail: { type: 'string' },
  follow: { type: 'boolean' },
  browser: { type: 'boolean' },
  json: { type: 'boolean' },
  secret: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  release: { type: 'string' },
  wait: { type: 'boolean' },
} as const;

export const JSON_OPTION = "  --json         print the API's JSON answer, for scripts";
export const APP_OPTION = '  --app <name>   the app, or <tenant>/<app> (default: berth.json in this folder)';

/**
 * The folder the person ran the command from. \`npm run\` runs scripts in the
 * package root and keeps the caller's folder in INIT_CWD, so
 * \`npm run -s berth -- status\` inside an app folder means that folder.
 */
export function callerDir(): string {
  const initCwd = process.env.INIT_CWD;
  return initCwd && isAbsolute(initCwd) ? initCwd : process.cwd();
}

/** A folder argument, relative to where the person ran the command. */
export const userPath = (dir: string | undefined): string => resolve(callerDir(), dir ?? '.');

/** Prints \`value\` as JSON when --json was given; resolves whether it did. */
export function printJson(values: { json?: boolean | undefined }, value: unknown, io: CliIo): boolean {
  if (values.json) io.out(JSON.stringify(value, null, 2));
  return values.json === true;
}

export function parse(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const open = (server: unknown) => ApiClient.open(str(server) ?? process.env.BERTH_SERVER);

/** The app a command acts on: --app, else berth.json in the folder. */
export async function appOf(client: ApiClient, app: unknown, dir?: string): Promise<{ tenant: string; name: string }> {
  const name = str(app) ?? (await readAppFile(userPath(dir))).name;
  const [tenant, short] = name.includes('/') ? name.split('/') : [client.username, name];
  return { tenant: tenant ?? '', name: short ?? '' };
}

export function command(name: string[], summary: string, usage: string, run: (args: readonly string[], io: CliIo) => Promise<number>): Command {
  return {
    name,
    summary,
    usage,
    async run(args, io) {
      if (args.includes('--help') || args.includes('-h')) {
        io.out(usage);
        return EXIT_OK;
      }
      return run(args, io);
    },
  };
}

export const deploymentSchema = z.object({
  id: z.string(),
  status: z.string(),
  commit: z.string().optional(),
  error: z.string().optional(),
  changeRequest: z.string().optional(),
});

export type FinalDeployment = z.infer<typeof deploymentSchema> & {
  /** The server's "no changes: <app> is already at <sha>" when the change made no commit. */
  readonly unchanged?: string;
};

/** Prints each timeline stage as the server streams it; resolves to the final deployment. */
export async function followTimeline(client: ApiClient, id: string, io: CliIo, stopAt?: string): Promise<FinalDeployment> {
  let final: z.infer<typeof deploymentSchema> | undefined;
  let unchanged: string | undefined;
  for await (const { event, data } of sseEvents(await client.events(id))) {
    const parsed: unknown = JSON.parse(data);
    if (event === 'stage') {
      const stage = z.object({ stage: z.string(), at: z.string(), detail: z.string().optional() }).parse(parsed);
      if (stage.stage === 'committed' && stage.detail?.startsWith('no changes')) unchanged = stage.detail;
      io.out(`  ${stage.at.slice(11, 23)}  ${stage.stage}${stage.detail ? `  (${stage.detail})` : ''}`);
      // E.g. `awaiting_review` without --wait: the deployment as it is now, not its end.
      if (stage.stage === stopAt) return z.object({ deployment: deploymentSchema }).parse(await client.json('GET', `/api/v1/deployments/${id}`)).deployment;
    } else if (event === 'end') final = z.object({ deployment: deploymentSchema }).parse(parsed).deployment;
  }
  if (!final) throw new ApiError(502, `the event stream of deployment ${id} ended early; see berth status`);
  return { ...final, ...(unchanged ? { unchanged } : {}) };
}

/** Follows a 202 deployment to its end and prints the outcome; the exit code. */
export async function finishDeployment(
  client: ApiClient,
  accepted: unknown,
  io: CliIo,
  intro: (id: string) => string,
  review?: { readonly wait: boolean; readonly awaiting: (final: FinalDeployment) => Promise<number> },
): Promise<number> {
  const deployment = z.object({ deployment: deploymentSchema }).parse(accepted).deployment;
  io.out(intro(deployment.id));
  // In review mode the deployment waits for a reviewer: without --wait, say where the request is and stop there.
  const final = await followTimeline(client, deployment.id, io, review && !review.wait ? 'awaiting_review' : undefined);
  if (final.status === 'awaiting_review' && review) return review.awaiting(final);
  if (final.status === 'rejected') {
    io.err(`error: rejected in review: ${final.error ?? `see berth review show ${final.changeRequest ?? ''}`}`);
    return EXIT_FAILED;
  }
  if (final.status === 'failed') {
    io.err(`error: ${final.error ?? 'the deployment failed; see berth status'}`);
    return EXIT_FAILED;
  }
  io.out(final.unchanged ?? `${final.status}${final.commit ? ` as ${final.commit}` : ''}`);
  return EXIT_OK;
}

const isInteractive = (io: CliIo): boolean => io.interactive ?? process.stdin.isTTY === true;

/** One line of stdin (a pipe or a file), without any prompt. */
function stdinLine(): Promise<string | undefined> {
  return new Promise((done) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      done(line);
      rl.close();
    });
    rl.once('close', () => {
      if (!answered) done(undefined);
    });
  });
}

/** A prompt on the terminal that does not echo what is typed (a password, a secret value). */
function hiddenPrompt(prompt: string): Promise<string | undefined> {
  return new Promise((done) => {
    const stdin = process.stdin;
    // No echo before the prompt shows: whatever is typed from then on never appears on the screen.
    stdin.setRawMode(true);
    stdin.resume();
    process.stderr.write(prompt);
    let typed = '';
    const finish = (value: string | undefined) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      done(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(typed);
        if (char === '\u0003' || char === '\u0004') return finish(undefined);
        typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char;
      }
    };
    stdin.on('data', onData);
  });
}

/** A value a person types (hidden, prompted) at a terminal, or one line from a pipe (no prompt printed). */
export async function readSecretInput(io: CliIo, prompt: string): Promise<string | undefined> {
  if (io.readLine) {
    if (isInteractive(io)) io.err(prompt);
    return io.readLine();
  }
  return isInteractive(io) ? hiddenPrompt(prompt) : stdinLine();
}

/** A visible answer to a question (a confirmation); undefined when nobody can answer (not a terminal). */
export async function askVisible(io: CliIo, question: string): Promise<string | undefined> {
  if (!isInteractive(io)) return undefined;
  if (io.readLine) {
    io.err(question);
    return io.readLine();
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((done) => rl.question(question, (answer) => (rl.close(), done(answer))));
}

export async function readPassword(io: CliIo): Promise<string> {
  if (process.env.BERTH_PASSWORD) return process.env.BERTH_PASSWORD;
  const password = await readSecretInput(io, 'password: ');
  if (!password) throw new UsageError('no password given (type it at the prompt, pipe one line to stdin, or set BERTH_PASSWORD)');
  return password;
}
