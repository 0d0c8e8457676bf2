/**
 * What a user's note in a commit subject (`deploy alice/web: <note>`) may
 * hold: one line of text. A NUL makes git refuse the commit after the
 * request was accepted; a newline would let the note end the subject and
 * write trailer lines (`Berth-Request: …`) of its own. The deploy request
 * (400) and the deploy operation apply this same rule.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function commitNoteProblem(note: string): string | undefined {
  const bad = CONTROL.exec(note);
  if (!bad) return undefined;
  const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `must be one line of text: it contains U+${code} at offset ${bad.index}`;
}
