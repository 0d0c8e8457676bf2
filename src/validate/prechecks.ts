import { codePathProblem } from '../domain/code-paths.js';
import type { CodeProblem } from '../errors.js';

/** Limits shared with runner/validation.py (MAX_FILES, MAX_FILE_BYTES, MAX_TOTAL_BYTES). */
export const CODE_LIMITS = { maxFiles: 50, maxFileBytes: 100 * 1024, maxTotalBytes: 500 * 1024 } as const;

function problem(file: string, message: string, rule: CodeProblem['rule']): CodeProblem {
  return { file, line: 1, column: 1, message, rule };
}

/**
 * Path and size problems, found in TypeScript before anything is sent to the
 * Python worker: oversized payloads never cross threads. The messages are the
 * ones runner/validation.py writes, so a verdict reads the same whichever
 * side found it (the agreement test compares them).
 */
export function precheckFiles(files: Readonly<Record<string, string>>, entrypoint: string): CodeProblem[] {
  const paths = Object.keys(files).sort();
  const problems: CodeProblem[] = [];
  if (paths.length > CODE_LIMITS.maxFiles) {
    problems.push(problem(entrypoint, `the app has ${paths.length} files; at most ${CODE_LIMITS.maxFiles} are allowed`, 'size'));
  }
  let total = 0;
  for (const path of paths) {
    const reason = codePathProblem(path);
    if (reason) problems.push(problem(path, `file path ${JSON.stringify(path)} ${reason}`, 'path'));
    const size = Buffer.byteLength(files[path] ?? '', 'utf8');
    total += size;
    if (size > CODE_LIMITS.maxFileBytes) {
      problems.push(problem(path, `${path} is ${size} bytes; a file may have at most ${CODE_LIMITS.maxFileBytes} (100 KB)`, 'size'));
    }
  }
  if (total > CODE_LIMITS.maxTotalBytes) {
    problems.push(problem(entrypoint, `the app's files add up to ${total} bytes; at most ${CODE_LIMITS.maxTotalBytes} (500 KB) are allowed`, 'size'));
  }
  return sortProblems(problems);
}

/** The order runner/validation.py uses: file, line, column, rule, message. */
export function sortProblems(problems: CodeProblem[]): CodeProblem[] {
  const key = (p: CodeProblem): [string, number, number, string, string] => [p.file, p.line, p.column, p.rule, p.message];
  return problems.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i += 1) {
      const [x, y] = [ka[i] ?? '', kb[i] ?? ''];
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
}
