/**
 * A commit named by a person: the full id or any prefix of at least 7 hex
 * characters that is unique among the app's releases (what `git` accepts, and
 * what `berth releases` prints). Pure: the caller passes the releases.
 */
export const MIN_COMMIT_PREFIX = 7;

export type CommitMatch =
  { readonly kind: 'found'; readonly commit: string } | { readonly kind: 'none' } | { readonly kind: 'ambiguous'; readonly matches: readonly string[] };

/** `commits` newest first, as Git lists them; the same commit listed twice counts once. */
export function matchCommitPrefix(commits: readonly string[], prefix: string): CommitMatch {
  const wanted = prefix.toLowerCase();
  if (wanted.length < MIN_COMMIT_PREFIX) return { kind: 'none' };
  const matches = [...new Set(commits.filter((commit) => commit.startsWith(wanted)))];
  if (matches.length === 0) return { kind: 'none' };
  if (matches.length > 1) return { kind: 'ambiguous', matches };
  return { kind: 'found', commit: matches[0] ?? '' };
}

/** The 409 message for an ambiguous prefix, naming the candidates the way `berth releases` prints them. */
export function ambiguousPrefixMessage(prefix: string, matches: readonly string[], app: string): string {
  return `commit prefix ${prefix} matches ${matches.length} releases of ${app} (${matches.map((m) => m.slice(0, 12)).join(', ')}): give more characters`;
}
