/** Machine-readable commit trailers (DESIGN.md "Commits"). */
export const ACTIONS = ['deploy', 'rollback', 'revert', 'pin-runner', 'cleanup', 'delete', 'sleep', 'wake', 'upgrade'] as const;
export type Action = (typeof ACTIONS)[number];

export interface BerthTrailers {
  readonly action: Action;
  readonly apps: readonly string[];
  readonly requestId: string;
  readonly actor: string;
}

const TRAILER_LINE = /^([A-Za-z][A-Za-z0-9-]*): (.*)$/;

/** Subject, optional body, a blank line, then the trailers in a fixed order. */
export function formatCommitMessage(subject: string, trailers: BerthTrailers, body?: string, extraTrailers: readonly string[] = []): string {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();
  const lines = [
    `Berth-Action: ${trailers.action}`,
    ...trailers.apps.map((app) => `Berth-App: ${oneLine(app)}`),
    `Berth-Request: ${oneLine(trailers.requestId)}`,
    `Berth-Actor: ${oneLine(trailers.actor)}`,
    // E.g. `Berth-Reviewed-By:` lines of a reviewed change.
    ...extraTrailers.map(oneLine),
  ];
  const parts = [oneLine(subject)];
  if (body && body.trim()) parts.push(body.trim());
  parts.push(lines.join('\n'));
  return `${parts.join('\n\n')}\n`;
}

/** All `Key: value` lines of the message's last paragraph, as git interpret-trailers reads them. */
export function parseTrailers(message: string): Record<string, string[]> {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs.length > 1 ? (paragraphs[paragraphs.length - 1] ?? '') : '';
  const out: Record<string, string[]> = {};
  const lines = last.split('\n');
  if (!lines.every((line) => TRAILER_LINE.test(line))) return out;
  for (const line of lines) {
    const match = TRAILER_LINE.exec(line);
    if (!match) continue;
    const key = match[1] ?? '';
    (out[key] ??= []).push((match[2] ?? '').trim());
  }
  return out;
}

export function readBerthTrailers(message: string): Partial<BerthTrailers> {
  const t = parseTrailers(message);
  const action = t['Berth-Action']?.[0];
  return {
    action: (ACTIONS as readonly string[]).includes(action ?? '') ? (action as Action) : undefined,
    apps: t['Berth-App'] ?? [],
    requestId: t['Berth-Request']?.[0],
    actor: t['Berth-Actor']?.[0],
  };
}

export function subjectOf(message: string): string {
  return message.split('\n', 1)[0] ?? '';
}
