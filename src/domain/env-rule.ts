import { ENV_NAME } from './app-spec.js';

/**
 * THE rule for the names and values an app's env may hold, shared by the
 * draft (PUT …/draft answers 400), the renderer (a deploy of an old draft
 * fails with the same words) and the local runtime (which never passes such
 * a name to a process). Reserved names are the runner's own variables, its
 * settings, and the switches of the dynamic loader and the interpreter: an
 * app that set PYTHONPATH or LD_PRELOAD would run code before the runner's
 * audit hook, and one that set BERTH_ALLOWED_IMPORTS would widen its own
 * allow-list.
 */
const RESERVED_EXACT: Readonly<Record<string, string>> = {
  PORT: 'the runner sets the port the app listens on',
  CODE_DIR: "the runner sets where the app's code is",
  ENTRYPOINT: "the runner sets the app's entrypoint",
};

const RESERVED_PREFIXES: readonly (readonly [string, string])[] = [
  ['BERTH_', "BERTH_* are the runner's own settings"],
  ['LD_', 'LD_* variables control the dynamic loader'],
  ['DYLD_', 'DYLD_* variables control the dynamic loader'],
  ['PYTHON', 'PYTHON* variables change how the Python interpreter starts (PYTHONPATH, PYTHONSTARTUP, PYTHONHOME, …)'],
];

/** The names RESERVED_EXACT lists (for messages and docs). */
export const RESERVED_ENV_NAMES: readonly string[] = Object.keys(RESERVED_EXACT);

/** Why an app may not set `name`, or undefined when it may. */
export function reservedEnvReason(name: string): string | undefined {
  const exact = RESERVED_EXACT[name];
  if (exact) return exact;
  return RESERVED_PREFIXES.find(([prefix]) => name.startsWith(prefix))?.[1];
}

/** What is wrong with an env name, or undefined. */
export function envNameProblem(name: string): string | undefined {
  if (!ENV_NAME.test(name)) return `name ${JSON.stringify(name)} must be upper-case letters, digits and "_", not starting with a digit`;
  const reserved = reservedEnvReason(name);
  return reserved ? `name ${name} is reserved: ${reserved}` : undefined;
}

/** What is wrong with an env value (plain or secret), or undefined. A process environment cannot hold a NUL. */
export function envValueProblem(value: string): string | undefined {
  const at = value.indexOf('\u0000');
  return at >= 0 ? `contains a NUL character (at offset ${at}), which no process environment can carry` : undefined;
}
