import type { GitHttpResponse, HttpClient } from 'isomorphic-git';
import { httpStatusError, RemoteRejectedError } from './git-errors.js';

/** The all-zero id stands for "no ref" in git's ref update commands. */
export const ZERO_ID = '0000000000000000000000000000000000000000';
const AGENT = 'berth';

/** The refs a receive-pack server holds and what it can do, from its advertisement. */
export interface Advertisement {
  readonly refs: ReadonlyMap<string, string>;
  readonly capabilities: ReadonlySet<string>;
}

/** One ref update: `old` and `next` undefined mean absent (create, delete). */
export interface RefCommand {
  readonly ref: string;
  readonly old: string | undefined;
  readonly next: string | undefined;
}

/** What the server said about the update: `unpack` is "ok" or the unpack error; `reason` is set when the ref was refused. */
export interface PushReport {
  readonly unpack: string;
  readonly refOk: boolean;
  readonly reason: string | undefined;
}

/** pkt-line framing: four hex digits of length (including themselves), then the payload. */
export function pktLine(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from((payload.byteLength + 4).toString(16).padStart(4, '0'), 'latin1'), payload]);
}

/** Payloads of a pkt-line stream as text without the trailing newline; flush packets (0000) are skipped. */
export function parsePktLines(data: Buffer): string[] {
  const lines: string[] = [];
  for (let offset = 0; offset + 4 <= data.byteLength;) {
    const length = Number.parseInt(data.toString('latin1', offset, offset + 4), 16);
    if (!Number.isInteger(length) || (length > 0 && length < 4) || offset + length > data.byteLength) {
      throw new RemoteRejectedError('the remote answered with a malformed pkt-line stream');
    }
    if (length > 4) lines.push(data.toString('utf8', offset + 4, offset + length).replace(/\n$/, ''));
    offset += Math.max(length, 4);
  }
  return lines;
}

async function readBody(response: GitHttpResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (response.body) for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** GET info/refs for receive-pack: the refs (the capabilities ride on the first line, after a NUL). */
export async function discoverReceivePack(http: HttpClient, url: string, headers: Record<string, string>): Promise<Advertisement> {
  const response = await http.request({ url: `${url}/info/refs?service=git-receive-pack`, method: 'GET', headers });
  const body = await readBody(response);
  if (response.statusCode !== 200) throw httpStatusError('push', url, response.statusCode, response.statusMessage);
  if (!response.headers?.['content-type']?.startsWith('application/x-git-receive-pack-advertisement')) {
    throw new RemoteRejectedError(`push ${url}: not a smart-HTTP git server that accepts pushes`, { url });
  }
  const refs = new Map<string, string>();
  let capabilities = new Set<string>();
  for (const line of parsePktLines(body)) {
    if (line.startsWith('#')) continue;
    const [refPart = '', capabilityPart] = line.split('\0');
    if (capabilityPart !== undefined) capabilities = new Set(capabilityPart.trim().split(' ').filter(Boolean));
    const [oid = '', ref = ''] = refPart.split(' ');
    if (ref !== 'capabilities^{}' && oid !== ZERO_ID) refs.set(ref, oid);
  }
  return { refs, capabilities };
}

/**
 * POST git-receive-pack: one ref update command carrying the old id the
 * server must still hold (its atomic compare-and-swap), then the pack (none
 * for a deletion). Asks for report-status to learn the ref's fate.
 */
export async function sendReceivePack(
  http: HttpClient,
  url: string,
  headers: Record<string, string>,
  advertisement: Advertisement,
  command: RefCommand,
  pack: Buffer | undefined,
): Promise<PushReport> {
  const offered = advertisement.capabilities;
  if (!offered.has('report-status')) throw new RemoteRejectedError(`push ${url}: the server does not report push results`, { url });
  if (command.next === undefined && !offered.has('delete-refs')) {
    throw new RemoteRejectedError(`push ${url}: the server does not allow deleting branches`, { url });
  }
  const asked = ['report-status', ...(offered.has('quiet') ? ['quiet'] : []), ...([...offered].some((c) => c.startsWith('agent=')) ? [`agent=${AGENT}`] : [])];
  const update = pktLine(`${command.old ?? ZERO_ID} ${command.next ?? ZERO_ID} ${command.ref}\0${asked.join(' ')}\n`);
  const body = Buffer.concat([update, Buffer.from('0000', 'latin1'), ...(pack ? [pack] : [])]);
  const response = await http.request({
    url: `${url}/git-receive-pack`,
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/x-git-receive-pack-request',
      accept: 'application/x-git-receive-pack-result',
    },
    body: (async function* () {
      yield body;
    })(),
  });
  const answer = await readBody(response);
  if (response.statusCode !== 200) throw httpStatusError('push', url, response.statusCode, response.statusMessage);
  const lines = parsePktLines(answer);
  const unpack = lines.find((line) => line.startsWith('unpack '))?.slice('unpack '.length) ?? 'missing';
  const verdict = lines.find((line) => line.startsWith(`ok ${command.ref}`) || line.startsWith(`ng ${command.ref} `));
  const refOk = verdict === `ok ${command.ref}`;
  return { unpack, refOk, reason: refOk ? undefined : (verdict?.slice(`ng ${command.ref} `.length) ?? 'no status for the ref') };
}
