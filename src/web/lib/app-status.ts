/* Pure: what the status badge says, from Git and the runtime (unit-tested in Node). */

export type Badge = 'live' | 'starting' | 'failed' | 'asleep' | 'committed' | 'draft only';

interface RuntimeLike {
  readonly kind?: string;
  readonly ready: boolean;
  readonly phase: string;
  readonly liveCommit?: string;
}

/**
 * `deployed`: Git has a commit of the app on the branch. Without a runtime
 * (kind none, or nothing reconciled yet) a deployed app is only committed.
 */
export function badgeOf(deployed: boolean, runtime: RuntimeLike | undefined): Badge {
  if (!deployed) return 'draft only';
  if (!runtime || runtime.kind === 'none') return 'committed';
  switch (runtime.phase) {
    case 'running':
      return runtime.ready ? 'live' : 'starting';
    case 'starting':
      return 'starting';
    case 'failed':
      return 'failed';
    case 'asleep':
      return 'asleep';
    default:
      return 'committed';
  }
}

/**
 * Whether the runtime may still move on its own (a deploy settling): then
 * the page asks again soon. Settled: no runtime, asleep, failed, or live at
 * the commit Git has.
 */
export function isSettling(gitCommit: string | null, runtime: RuntimeLike | undefined): boolean {
  if (gitCommit === null || !runtime || runtime.kind === 'none') return false;
  const badge = badgeOf(true, runtime);
  if (badge === 'asleep' || badge === 'failed') return false;
  return badge !== 'live' || (runtime.liveCommit !== undefined && runtime.liveCommit !== gitCommit);
}

/** The CSS class of a badge (`s-draft-only` for "draft only"). */
export const badgeClass = (badge: Badge) => `pill s-${badge.replace(' ', '-')}`;

/** The first `count` lines of a runtime message (a crash's says what failed, then the user's file and line), and whether more follow. */
export function messageHead(message: string, count = 2): { head: string; more: boolean } {
  const lines = message.split('\n');
  return { head: lines.slice(0, count).join('\n'), more: lines.length > count };
}
