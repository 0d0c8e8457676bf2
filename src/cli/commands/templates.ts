import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ApiClient } from '../api-client.js';
import { EXIT_OK, UsageError, type Command } from '../command.js';

/*
 * `berth templates`: the starter gallery as GET /templates serves it, and the
 * helpers `berth init` uses to pick a starter and to say, before it writes
 * anything, what the starter needs (a database, secrets) to work.
 */

const variable = z.object({ name: z.string(), description: z.string() });
// Defaults keep the CLI working against a server from before the gallery fields.
const galleryEntry = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  files: z.record(z.string(), z.string()),
  entrypoint: z.string(),
  teaches: z.string().default(''),
  tags: z.array(z.string()).default([]),
  needs: z
    .object({ database: z.boolean().default(false), secrets: z.array(variable).default([]), settings: z.array(variable).default([]) })
    .default({ database: false, secrets: [], settings: [] }),
});
export type GalleryEntry = z.infer<typeof galleryEntry>;

export async function fetchGallery(client: ApiClient): Promise<GalleryEntry[]> {
  return z.object({ templates: z.array(galleryEntry) }).parse(await client.json('GET', '/api/v1/templates')).templates;
}

/** What the starter needs before it works, one line each; empty when it runs as created. */
export function needsNotice(entry: GalleryEntry): string[] {
  const lines: string[] = [];
  if (entry.needs.database) {
    lines.push('Needs a database: Berth sets MONGODB_URI when MongoDB for apps is configured (berth status shows whether it is attached).');
  }
  for (const secret of entry.needs.secrets) {
    lines.push(
      `Needs the secret ${secret.name}: ${secret.description}. Set it as a secret env var of the app (web UI, or the draft's env as {"secret": true, "value": ...}), never in the code.`,
    );
  }
  return lines;
}

function needsSummary(entry: GalleryEntry): string {
  const parts = [
    ...(entry.needs.database ? ['a database (MONGODB_URI)'] : []),
    ...entry.needs.secrets.map((secret) => `secret ${secret.name}`),
    ...(entry.needs.settings.length > 0 ? [`optional settings ${entry.needs.settings.map((s) => s.name).join(', ')}`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : 'nothing, runs as created';
}

/** The gallery as text: a block per starter. */
export function formatGallery(entries: readonly GalleryEntry[]): string {
  const blocks = entries.map((entry) =>
    [
      `${entry.id}  ${entry.name}${entry.tags.length > 0 ? `  [${entry.tags.join(', ')}]` : ''}`,
      `  ${entry.description}`,
      ...(entry.teaches ? [`  Teaches: ${entry.teaches}`] : []),
      `  Needs: ${needsSummary(entry)}`,
    ].join('\n'),
  );
  return `${blocks.join('\n\n')}\n\nCreate an app from one: berth init <dir> --template <id>`;
}

/** The starter `berth init` asked for; without a valid id, a usage error that lists the gallery. */
export async function chooseStarter(client: ApiClient, template: string | undefined): Promise<GalleryEntry> {
  const entries = await fetchGallery(client);
  const entry = entries.find((candidate) => candidate.id === template);
  if (entry) return entry;
  const list = entries.map((candidate) => `  ${candidate.id.padEnd(18)} ${candidate.description}`).join('\n');
  throw new UsageError(`${template === undefined ? 'choose a starter with --template <id>' : `no template ${template}`}; the starters are:\n${list}`);
}

const USAGE = `Usage: berth templates [--json]

Lists the starter templates: what each teaches and what it needs (a database, secrets).

Options:
  --json           print {templates: [...]} as JSON (file paths, not their contents)
  --server <url>   the Berth server (default: BERTH_SERVER, the logged-in server, or http://127.0.0.1:8080)
  -h, --help       show this help`;

export const templatesCommand: Command = {
  name: ['templates'],
  summary: 'list the starter templates, what each teaches and needs',
  usage: USAGE,
  async run(args, io) {
    let values: { json?: boolean; server?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args: [...args],
        strict: true,
        options: { json: { type: 'boolean' }, server: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    if (values.help) {
      io.out(USAGE);
      return EXIT_OK;
    }
    const entries = await fetchGallery(await ApiClient.open(values.server ?? process.env.BERTH_SERVER));
    if (values.json) {
      const templates = entries.map(({ files, ...entry }) => ({ ...entry, files: Object.keys(files) }));
      io.out(JSON.stringify({ templates }, null, 2));
    } else {
      io.out(formatGallery(entries));
    }
    return EXIT_OK;
  },
};
