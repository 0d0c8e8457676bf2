/**
 * What the person sees when a command fails: the server's own message and the
 * details that say where (file:line:col of code problems, the field at fault),
 * and an exit code per class of failure (command.ts).
 */
import { z } from 'zod';
import { BerthError, InputError, UnauthorizedError, ForbiddenError } from '../errors.js';
import { ApiError, UnreachableError } from './api-client.js';
import { EXIT_AUTH, EXIT_FAILED, EXIT_REFUSED, EXIT_UNAVAILABLE, EXIT_USAGE, RefusedError, UsageError, type CliIo, type Command } from './command.js';

const problemsSchema = z.object({
  problems: z.array(z.object({ file: z.string(), line: z.number(), column: z.number(), message: z.string(), rule: z.string().optional() })),
});
const issuesSchema = z.object({ issues: z.array(z.object({ path: z.string(), message: z.string() })) });
const matchesSchema = z.object({ matches: z.array(z.string()) });

/** The lines under `error: <message>`: each code problem, each field, each candidate; other details as key: value. */
export function detailLines(details: unknown): string[] {
  if (details === undefined || details === null || typeof details !== 'object') return [];
  const problems = problemsSchema.safeParse(details);
  if (problems.success) return problems.data.problems.map((p) => `  ${p.file}:${p.line}:${p.column}  ${p.message}${p.rule ? `  [${p.rule}]` : ''}`);
  const issues = issuesSchema.safeParse(details);
  if (issues.success) return issues.data.issues.map((i) => `  ${i.path || '(body)'}: ${i.message}`);
  const matches = matchesSchema.safeParse(details);
  if (matches.success) return matches.data.matches.map((m) => `  ${m}`);
  return Object.entries(details).map(([key, value]) => `  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

export function exitCodeOfStatus(status: number): number {
  if (status === 401 || status === 403) return EXIT_AUTH;
  if (status === 429 || status === 502 || status === 503 || status === 504) return EXIT_UNAVAILABLE;
  if (status >= 400 && status < 500) return EXIT_REFUSED;
  return EXIT_FAILED;
}

/** Maps what a command threw to what it prints and its exit code, in one place. */
export function reportError(err: unknown, command: Command, io: CliIo, debug: boolean): number {
  if (err instanceof UsageError) {
    io.err(`error: ${err.message}\n\n${command.usage}`);
    return EXIT_USAGE;
  }
  if (err instanceof ApiError) {
    io.err([`error: ${err.message}`, ...detailLines(err.details)].join('\n'));
    return exitCodeOfStatus(err.status);
  }
  if (err instanceof RefusedError) {
    io.err([`error: ${err.message}`, ...err.lines].join('\n'));
    return EXIT_REFUSED;
  }
  if (err instanceof UnreachableError) {
    io.err(`error: ${err.message}`);
    return EXIT_UNAVAILABLE;
  }
  if (err instanceof UnauthorizedError || err instanceof ForbiddenError) {
    io.err(`error: ${err.message}`);
    return EXIT_AUTH;
  }
  if (err instanceof InputError) {
    io.err([`error: ${err.message}`, ...detailLines(err.details)].join('\n'));
    return EXIT_USAGE;
  }
  if (err instanceof BerthError) {
    io.err(`error: ${err.message}`);
    return EXIT_FAILED;
  }
  io.err(`error: ${err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err)}`);
  return EXIT_FAILED;
}
