/** What the app commands in src/cli/commands share: options, parsing, the client, the timeline printer. */
import { createInterface } from 'node:readline/promises';
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
  wait: { type: 'boolean' },
} as const;

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
export async function appOf(client: ApiClient, app: unknown, dir = '.'): Promise<{ tenant: string; name: string }> {
  const name = str(app) ?? (await readAppFile(dir)).name;
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

/** Prints each timeline stage as the server streams it; resolves to the final deployment. */
export async function followTimeline(client: ApiClient, id: string, io: CliIo, stopAt?: string): Promise<z.infer<typeof deploymentSchema>> {
  let final: z.infer<typeof deploymentSchema> | undefined;
  for await (const { event, data } of sseEvents(await client.events(id))) {
    const parsed: unknown = JSON.parse(data);
    if (event === 'stage') {
      const stage = z.object({ stage: z.string(), at: z.string(), detail: z.string().optional() }).parse(parsed);
      io.out(`  ${stage.at.slice(11, 23)}  ${stage.stage}${stage.detail ? `  (${stage.detail})` : ''}`);
      // E.g. `awaiting_review` without --wait: the deployment as it is now, not its end.
      if (stage.stage === stopAt) return z.object({ deployment: deploymentSchema }).parse(await client.json('GET', `/api/v1/deployments/${id}`)).deployment;
    } else if (event === 'end') final = z.object({ deployment: deploymentSchema }).parse(parsed).deployment;
  }
  if (!final) throw new ApiError(502, `the event stream of deployment ${id} ended early; see berth status`);
  return final;
}

export async function readPassword(io: CliIo): Promise<string> {
  if (process.env.BERTH_PASSWORD) return process.env.BERTH_PASSWORD;
  io.err('password: ');
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
  } finally {
    rl.close();
  }
  throw new UsageError('no password given (stdin or BERTH_PASSWORD)');
}

export function printProblems(err: ApiError, io: CliIo): number {
  const details = z
    .object({ problems: z.array(z.object({ file: z.string(), line: z.number(), column: z.number(), message: z.string(), rule: z.string() })) })
    .safeParse(err.details);
  io.err('The code has problems; nothing was deployed:');
  for (const p of details.success ? details.data.problems : []) io.err(`  ${p.file}:${p.line}:${p.column}  ${p.message}  [${p.rule}]`);
  return EXIT_FAILED;
}
