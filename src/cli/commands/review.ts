import { z } from 'zod';
import type { ApiClient } from '../api-client.js';
import { COMMON, command, open, parse, str } from '../command-kit.js';
import { EXIT_OK, UsageError, type CliIo } from '../command.js';

const changeRequest = z.object({
  id: z.string(),
  tenant: z.string(),
  app: z.string(),
  author: z.string(),
  state: z.string(),
  branch: z.string(),
  commit: z.string(),
  url: z.string(),
  ageSeconds: z.number(),
  message: z.string().optional(),
  approvedBy: z.array(z.string()),
  validation: z.object({ passed: z.boolean(), problems: z.array(z.unknown()) }),
  comments: z.array(z.object({ by: z.string(), body: z.string(), at: z.string() })),
  conflict: z.object({ message: z.string() }).optional(),
  note: z.string().optional(),
});

function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** A UI link on the server, or the Git host's pull request as it is. */
const linkOf = (client: ApiClient, url: string) => (url.startsWith('/') ? `${client.server.replace(/\/$/, '')}${url}` : url);

/** What `berth deploy` prints in review mode without --wait. */
export async function printAwaitingReview(client: ApiClient, id: string | undefined, io: CliIo): Promise<number> {
  if (!id) throw new UsageError('the deployment awaits review but names no change request; see berth reviews');
  const cr = changeRequest.parse(z.object({ changeRequest: z.unknown() }).parse(await client.json('GET', `/api/v1/change-requests/${id}`)).changeRequest);
  io.out(`Awaiting review: change request ${cr.id} on branch ${cr.branch}`);
  io.out(`  ${linkOf(client, cr.url)}`);
  io.out(`A reviewer approves it (berth review approve ${cr.id}); berth deploy --wait waits for the verdict.`);
  return EXIT_OK;
}

export const reviewsCommand = command(
  ['reviews'],
  'open change requests (review mode), with age and author',
  `Usage: berth reviews\n\nOptions:\n${COMMON}`,
  async (args, io) => {
    const { values } = parse(args);
    const client = await open(values.server);
    const body = z.object({ changeRequests: z.array(changeRequest) }).parse(await client.json('GET', '/api/v1/change-requests?state=open'));
    if (body.changeRequests.length === 0) io.out('No open change requests.');
    for (const cr of body.changeRequests) {
      io.out(`${cr.id}  ${age(cr.ageSeconds).padStart(4)}  ${cr.author.padEnd(16)}  ${cr.tenant}/${cr.app}${cr.message ? `  ${cr.message}` : ''}`);
    }
    return EXIT_OK;
  },
);

async function show(client: ApiClient, id: string, io: CliIo): Promise<void> {
  const body = z
    .object({ changeRequest, diff: z.object({ code: z.string(), manifests: z.string() }) })
    .parse(await client.json('GET', `/api/v1/change-requests/${encodeURIComponent(id)}`));
  const cr = body.changeRequest;
  io.out(`Change request ${cr.id}: ${cr.tenant}/${cr.app} by ${cr.author}, ${cr.state}, opened ${age(cr.ageSeconds)} ago`);
  io.out(`  branch ${cr.branch} at ${cr.commit.slice(0, 12)}  ${linkOf(client, cr.url)}`);
  io.out(`  validation: ${cr.validation.passed ? 'passed' : `${cr.validation.problems.length} problem(s)`}`);
  if (cr.approvedBy.length > 0) io.out(`  approved by ${cr.approvedBy.join(', ')}`);
  if (cr.conflict) io.out(`  CONFLICT: ${cr.conflict.message}`);
  if (cr.note) io.out(`  ${cr.note}`);
  for (const c of cr.comments) io.out(`  ${c.at.slice(0, 16)}  ${c.by}: ${c.body}`);
  io.out('\n--- code ---');
  io.out(body.diff.code || '(no change)');
  io.out('--- rendered manifests ---');
  io.out(body.diff.manifests || '(no change)');
}

export const reviewCommand = command(
  ['review'],
  'show, approve or reject one change request',
  `Usage: berth review show <id>\n       berth review approve <id> [-m <comment>]\n       berth review reject <id> -m <comment>\n\nOptions:\n  -m, --message <text>  the comment\n${COMMON}`,
  async (args, io) => {
    // -m is this command's short form of --message.
    const { values, positionals } = parse(args.map((a) => (a === '-m' ? '--message' : a)));
    const [verb, id] = positionals;
    if (!id || !['show', 'approve', 'reject'].includes(verb ?? '')) throw new UsageError('berth review show|approve|reject <id>');
    const client = await open(values.server);
    const comment = str(values.message);
    if (verb === 'show') {
      await show(client, id, io);
      return EXIT_OK;
    }
    if (verb === 'reject' && !comment) throw new UsageError('a rejection says why: berth review reject <id> -m <comment>');
    const path = `/api/v1/change-requests/${encodeURIComponent(id)}/${verb}`;
    const result = changeRequest.parse(
      z.object({ changeRequest: z.unknown() }).parse(await client.json('POST', path, comment ? { comment } : {})).changeRequest,
    );
    io.out(verb === 'approve' ? `Approved: ${result.tenant}/${result.app} landed on main (${result.note ?? 'merged'})` : `Rejected: ${result.note ?? ''}`);
    return EXIT_OK;
  },
);
