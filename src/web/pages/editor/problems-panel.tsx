import type { Problem } from '../../lib/api.js';

/** Every problem of the draft; choosing one jumps to its file, line and column. */
export function ProblemsPanel({ problems, checking, onJump }: { problems: readonly Problem[]; checking: boolean; onJump: (p: Problem) => void }) {
  return (
    <section class="problems" aria-labelledby="problems-title">
      <h2 id="problems-title">
        Problems <span class="count">{problems.length}</span>
        <span class="hint" role="status">
          {checking ? 'checking…' : problems.length === 0 ? 'No problems' : ''}
        </span>
      </h2>
      {problems.length > 0 && (
        <ul>
          {problems.map((p, i) => (
            <li key={`${p.file}:${p.line}:${p.column}:${i}`}>
              <button type="button" class="problem" onClick={() => onJump(p)}>
                <span class="where">
                  {p.file}:{p.line}:{p.column}
                </span>{' '}
                <span class="rule">{p.rule}</span> {p.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
