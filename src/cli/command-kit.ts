import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ApiClient, ApiError } from './api-client.js';
import { readAppFile, readCodeFiles, writeAppDir } from './app-dir.js';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliIo, type Command } from './command.js';

const COMMON = `  --server <url>   the Berth server (default: BERTH_SERVER, the logged-in server, or http://127.0.0.1:8080)
  -h, --help       show this help`;

/** One option table for these commands (each usage text says which apply). */
const OPTIONS = {
  server: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  username: { type: 'string' },
  template: { type: 'string' },
  name: { type: 'string' },
  message: { type: 'string' },
  app: { type: 'string' },
} as const;

function parse(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const open = (server: unknown) => ApiClient.open(str(server) ?? process.env.BERTH_SERVER);

/** The app a command acts on: --app, else berth.json in the folder. */
async function appOf(client: ApiClient, app: unknown, dir = '.'): Promise<{ tenant: string; name: string }> {
  const name = str(app) ?? (await readAppFile(dir)).name;
  const [tenant, short] = name.includes('/') ? name.split('/') : [client.username, name];
  return { tenant: tenant ?? '', name: short ?? '' };
}

function command(name: string[], summary: string, usage: string, run: (args: readonly string[], io: CliIo) => Promise<number>): Command {
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

const deploymentSchema = z.object({ id: z.string(), status: z.string(), commit: z.string().optional(), error: z.string().optional() });

/** Prints each timeline stage as the server streams it; resolves to the final deployment. */
async function followTimeline(client: ApiClient, id: string, io: CliIo): Promise<z.infer<typeof deploymentSchema>> {
  const res = await client.events(id);
  const decoder = new TextDecoder();
  let buffer = '';
  let final: z.infer<typeof deploymentSchema> | undefined;
  for await (const chunk of res.body ?? []) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (!event || !data) continue;
      const parsed: unknown = JSON.parse(data);
      if (event === 'stage') {
        const stage = z.object({ stage: z.string(), at: z.string(), detail: z.string().optional() }).parse(parsed);
        io.out(`  ${stage.at.slice(11, 23)}  ${stage.stage}${stage.detail ? `  (${stage.detail})` : ''}`);
      } else if (event === 'end') final = z.object({ deployment: deploymentSchema }).parse(parsed).deployment;
    }
  }
  if (!final) throw new ApiError(502, `the event stream of deployment ${id} ended early; see berth status`);
  return final;
}

async function readPassword(io: CliIo): Promise<string> {
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

export const loginCommand = command(['login'], 'log in and keep the token in your config dir (mode 0600)', `Usage: berth login --username <name> [--server <url>]\n\nReads the password from BERTH_PASSWORD or one line of stdin.\n\nOptions:\n  --username <name>\n${COMMON}`, async (args, io) => {
  const { values } = parse(args);
  const username = str(values.username);
  if (!username) throw new UsageError('--username is required');
  const client = await open(values.server);
  await client.login(username, await readPassword(io));
  io.out(`Logged in to ${client.server} as ${username}`);
  return EXIT_OK;
});

export const appsCommand = command(['apps'], 'list your apps', `Usage: berth apps [--server <url>]\n\nOptions:\n${COMMON}`, async (args, io) => {
  const { values } = parse(args);
  const client = await open(values.server);
  const body = z.object({ apps: z.array(z.object({ tenant: z.string(), name: z.string(), url: z.string(), live: z.object({ commit: z.string() }).optional() })) }).parse(await client.json('GET', '/api/v1/apps'));
  if (body.apps.length === 0) io.out('No apps yet: berth init <dir> --template hello');
  for (const app of body.apps) io.out(`${`${app.tenant}/${app.name}`.padEnd(40)} ${app.live ? app.live.commit.slice(0, 12) : 'not deployed'}  ${app.url}`);
  return EXIT_OK;
});

export const initCommand = command(['init'], 'create an app folder from a starter template', `Usage: berth init <dir> --template <id> [--name <app>]\n\nOptions:\n  --template <id>  a starter (GET /templates lists them)\n  --name <app>     app name (default: the folder's name)\n${COMMON}`, async (args, io) => {
  const { values, positionals } = parse(args);
  const dir = positionals[0];
  const template = str(values.template);
  if (!dir || !template) throw new UsageError('expected <dir> and --template <id>');
  const client = await open(values.server);
  const body = z.object({ templates: z.array(z.object({ id: z.string(), files: z.record(z.string(), z.string()), entrypoint: z.string() })) }).parse(await client.json('GET', '/api/v1/templates'));
  const starter = body.templates.find((t) => t.id === template);
  if (!starter) throw new UsageError(`no template ${template}; there are: ${body.templates.map((t) => t.id).join(', ')}`);
  const app = await writeAppDir(dir, str(values.name), starter.files, starter.entrypoint);
  io.out(`Created ${dir} (app ${app.name}, from ${template}). Next: berth deploy ${dir}`);
  return EXIT_OK;
});

export const deployCommand = command(['deploy'], 'upload a folder and deploy it, showing the live timeline', `Usage: berth deploy [dir] [--message <text>]\n\nOptions:\n  --message <text>  note for the commit subject\n${COMMON}`, async (args, io) => {
  const { values, positionals } = parse(args);
  const dir = positionals[0] ?? '.';
  const client = await open(values.server);
  const appFile = await readAppFile(dir);
  const files = await readCodeFiles(dir);
  const base = `/api/v1/apps/${client.username}/${appFile.name}`;
  try {
    const current = z.object({ app: z.object({ draft: z.object({ env: z.record(z.string(), z.unknown()) }) }) }).parse(await client.json('GET', base));
    // Keep the env set in the UI; secret values stay on the server ({secret: true} keeps them).
    await client.json('PUT', `${base}/draft`, { files, entrypoint: appFile.entrypoint, env: current.app.draft.env });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    await client.json('POST', '/api/v1/apps', { name: appFile.name, files, entrypoint: appFile.entrypoint });
  }
  let accepted: unknown;
  try {
    accepted = await client.json('POST', `${base}/deploy`, { ...(str(values.message) ? { message: str(values.message) } : {}) });
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) return printProblems(err, io);
    throw err;
  }
  const deployment = z.object({ deployment: deploymentSchema }).parse(accepted).deployment;
  io.out(`Deploying ${client.username}/${appFile.name} (${Object.keys(files).length} files), deployment ${deployment.id}`);
  const final = await followTimeline(client, deployment.id, io);
  if (final.status === 'failed') {
    io.err(`Deploy failed: ${final.error ?? 'see berth status'}`);
    return EXIT_FAILED;
  }
  io.out(`${final.status}${final.commit ? ` as ${final.commit}` : ''}`);
  return EXIT_OK;
});

function printProblems(err: ApiError, io: CliIo): number {
  const details = z.object({ problems: z.array(z.object({ file: z.string(), line: z.number(), column: z.number(), message: z.string(), rule: z.string() })) }).safeParse(err.details);
  io.err('The code has problems; nothing was deployed:');
  for (const p of details.success ? details.data.problems : []) io.err(`  ${p.file}:${p.line}:${p.column}  ${p.message}  [${p.rule}]`);
  return EXIT_FAILED;
}

export const statusCommand = command(['status'], "an app's Git and cluster status", `Usage: berth status [--app <name>]\n\nOptions:\n  --app <name>  the app (default: berth.json here)\n${COMMON}`, async (args, io) => {
  const { values } = parse(args);
  const client = await open(values.server);
  const app = await appOf(client, values.app);
  const body = z.object({ git: z.object({ commit: z.string().nullable() }), cluster: z.object({ configured: z.boolean(), message: z.string().optional() }) }).parse(await client.json('GET', `/api/v1/apps/${app.tenant}/${app.name}/status`));
  io.out(`${app.tenant}/${app.name}\n  git:     ${body.git.commit ?? 'not deployed'}\n  cluster: ${body.cluster.message ?? (body.cluster.configured ? 'configured' : 'not configured')}`);
  return EXIT_OK;
});

export const releasesCommand = command(['releases'], "an app's releases, read from Git", `Usage: berth releases [--app <name>]\n\nOptions:\n  --app <name>  the app (default: berth.json here)\n${COMMON}`, async (args, io) => {
  const { values } = parse(args);
  const client = await open(values.server);
  const app = await appOf(client, values.app);
  const body = z.object({ releases: z.array(z.object({ commit: z.string(), action: z.string().optional(), author: z.string(), at: z.string(), message: z.string() })) }).parse(await client.json('GET', `/api/v1/apps/${app.tenant}/${app.name}/releases`));
  for (const r of body.releases) io.out(`${r.commit.slice(0, 12)}  ${r.at}  ${(r.action ?? '-').padEnd(8)}  ${r.author}  ${r.message}`);
  return EXIT_OK;
});

export const rollbackCommand = command(['rollback'], 'restore an app as of a release commit', `Usage: berth rollback <commit> [--app <name>]\n\nOptions:\n  --app <name>  the app (default: berth.json here)\n${COMMON}`, async (args, io) => {
  const { values, positionals } = parse(args);
  const to = positionals[0];
  if (!to || !/^[0-9a-f]{40}$/.test(to)) throw new UsageError('expected the full 40-character <commit> (berth releases lists them)');
  const client = await open(values.server);
  const app = await appOf(client, values.app);
  const deployment = z.object({ deployment: deploymentSchema }).parse(await client.json('POST', `/api/v1/apps/${app.tenant}/${app.name}/rollback`, { to })).deployment;
  io.out(`Rolling back ${app.tenant}/${app.name} to ${to.slice(0, 12)}`);
  const final = await followTimeline(client, deployment.id, io);
  io.out(`${final.status}${final.commit ? ` as ${final.commit}` : ''}`);
  return final.status === 'failed' ? EXIT_FAILED : EXIT_OK;
});
