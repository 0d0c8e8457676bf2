import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, setDiagnosticsEffect, type Diagnostic } from '@codemirror/lint';
import { EditorSelection, EditorState, Prec, type Extension, type Text } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'preact/hooks';
import type { Problem } from '../../lib/api.js';
import { editorHighlight, editorTheme } from './editor-theme.js';

export interface Reveal {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  /** Changes on every request, so revealing the same spot twice works. */
  readonly nonce: number;
}

interface Props {
  readonly path: string;
  readonly doc: string;
  readonly onChange: (path: string, doc: string) => void;
  /** Validates the draft with this file's text; resolves to this file's problems (or undefined when superseded). */
  readonly lint: (path: string, doc: string) => Promise<readonly Problem[]>;
  readonly onSave: () => void;
  readonly onDeploy: () => void;
  readonly reveal: Reveal | undefined;
}

/** A problem's line and 1-based column as a range of the document: to the end of the word, at least one character. */
export function toDiagnostic(doc: Text, problem: Problem): Diagnostic {
  const line = doc.line(Math.min(Math.max(1, problem.line), doc.lines));
  let from = Math.min(line.from + Math.max(0, problem.column - 1), line.to);
  if (from === line.to && from > line.from) from -= 1;
  const rest = doc.sliceString(from, line.to);
  const word = /^\w+/.exec(rest)?.[0].length ?? 1;
  const to = Math.min(line.to, from + word);
  return { from, to: Math.max(to, from), severity: 'error', source: problem.rule, message: `${problem.message} (${problem.rule})` };
}

/**
 * CodeMirror 6: one EditorState per file (so each keeps its own undo
 * history), Python highlighting, completion, and problems as you type
 * through the linter extension, which drops answers for a document that
 * has changed since. The app's Save and Deploy keys sit above CodeMirror's
 * own Mod-Enter.
 */
export function CodeEditor(props: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const states = useRef(new Map<string, EditorState>());
  const shownPath = useRef(props.path);
  const latest = useRef(props);
  latest.current = props;

  function extensionsFor(path: string): Extension[] {
    const isPython = path.endsWith('.py');
    return [
      lineNumbers(),
      highlightActiveLineGutter(),
      history(),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      editorTheme,
      syntaxHighlighting(editorHighlight),
      Prec.highest(
        keymap.of([
          { key: 'Mod-s', preventDefault: true, run: () => (latest.current.onSave(), true) },
          { key: 'Mod-Enter', preventDefault: true, run: () => (latest.current.onDeploy(), true) },
        ]),
      ),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
      ...(isPython ? [python(), autocompletion()] : []),
      lintGutter(),
      linter(
        async (v) => {
          const doc = v.state.doc;
          const problems = await latest.current.lint(path, doc.toString());
          return problems.map((p) => toDiagnostic(doc, p));
        },
        { delay: 300 },
      ),
      EditorView.contentAttributes.of({ 'aria-label': path }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) latest.current.onChange(path, update.state.doc.toString());
        // The validation round trip ends when the underlines are in the DOM (update listeners run after
        // the view updated it). Not at the next frame: background tabs get no frames, 20 test editors would stall.
        if (update.transactions.some((tr) => tr.effects.some((e) => e.is(setDiagnosticsEffect)))) performance.mark('berth:lint-shown');
      }),
    ];
  }

  function stateFor(path: string, doc: string): EditorState {
    const kept = states.current.get(path);
    if (kept && kept.doc.toString() === doc) return kept;
    const fresh = EditorState.create({ doc, extensions: extensionsFor(path) });
    states.current.set(path, fresh);
    return fresh;
  }

  useEffect(() => {
    if (!host.current) return;
    // A shadow root, so CodeMirror's styles are constructable stylesheets the CSP allows (see editor-theme.ts).
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    view.current = new EditorView({ state: stateFor(props.path, props.doc), parent: shadow, root: shadow });
    return () => view.current?.destroy();
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    if (shownPath.current === props.path) return;
    states.current.set(shownPath.current, v.state);
    shownPath.current = props.path;
    v.setState(stateFor(props.path, props.doc));
  }, [props.path]);

  useEffect(() => {
    const v = view.current;
    const target = props.reveal;
    if (!v || !target || target.path !== props.path) return;
    const line = v.state.doc.line(Math.min(Math.max(1, target.line), v.state.doc.lines));
    const pos = Math.min(line.from + Math.max(0, target.column - 1), line.to);
    v.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true });
    v.focus();
  }, [props.reveal, props.path]);

  return <div class="code" ref={host} />;
}
