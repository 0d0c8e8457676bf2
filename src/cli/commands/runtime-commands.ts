import { execFile } from 'node:child_process';
import { z } from 'zod';
import type { ApiClient } from '../api-client.js';
import { EXIT_OK, type CliIo } from '../command.js';
import { runtimeSchema } from '../runtime-view.js';
import { sseEvents } from '../sse-events.js';
import { COMMON, APP_OPTION, JSON_OPTION, appOf, command, open, parse, printJson } from '../command-kit.js';
import { UsageError } from '../command.js';

const lineSchema = z.object({ at: z.string(), stream: z.string(), text: z.string() });
const format = (line: z.infer<typeof lineSchema>) => `${line.at.slice(11, 23)} ${line.stream === 'stderr' ? 'E' : ' '} ${line.text}`;

/** Prints each `line` event of a log stream until the server ends it. */
async function followLines(client: ApiClient, path: string, io: CliIo): Promise<void> {
  for await (const { event, data } of sseEvents(await client.stream(path))) {
    if (event === 'line') io.out(format(lineSchema.parse(JSON.parse(data))));
  }
}

export const logsCommand = command(
  ['logs'],
  "an app's output (the last lines, or --follow)",
  `Usage: berth logs [--app <name>] [--tail <n>] [--follow] [--json]\n\nOptions:\n${APP_OPTION}\n${JSON_OPTION} (not with --follow)\n  --tail <n>    how many of the newest lines (default 200)\n  --follow      keep printing new lines until interrupted\n${COMMON}`,
  async (args, io) => {
    const { values } = parse(args);
    const tail = values.tail === undefined ? 200 : Number(values.tail);
    if (!Number.isInteger(tail) || tail < 0 || tail > 2000) throw new UsageError('--tail must be a whole number from 0 to 2000');
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    const path = `/api/v1/apps/${app.tenant}/${app.name}/logs?tail=${tail}`;
    if (values.follow) {
      await followLines(client, `${path}&follow=true`, io);
      return EXIT_OK;
    }
    const raw = await client.json('GET', path);
    if (printJson(values, raw, io)) return EXIT_OK;
    const body = z.object({ lines: z.array(lineSchema) }).parse(raw);
    for (const line of body.lines) io.out(format(line));
    return EXIT_OK;
  },
);

export const openCommand = command(
  ['open'],
  "print an app's URL (and open it with --browser)",
  `Usage: berth open [--app <name>] [--browser] [--json]\n\nOptions:\n${APP_OPTION}\n${JSON_OPTION} (the app's runtime: url, ready, message)\n  --browser     also open it with xdg-open / open\n${COMMON}`,
  async (args, io) => {
    const { values } = parse(args);
    const client = await open(values.server);
    const app = await appOf(client, values.app);
    const body = z.object({ runtime: runtimeSchema }).parse(await client.json('GET', `/api/v1/apps/${app.tenant}/${app.name}/status`));
    if (printJson(values, { runtime: body.runtime }, io)) return EXIT_OK;
    io.out(body.runtime.url);
    if (!body.runtime.ready) io.err(`note: ${app.tenant}/${app.name} is not ready: ${body.runtime.message.split('\n')[0] ?? ''}`);
    if (values.browser) {
      const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
      execFile(opener, [body.runtime.url], { timeout: 10_000 }, (error) => error && io.err(`could not run ${opener}: ${error.message}`));
    }
    return EXIT_OK;
  },
);
