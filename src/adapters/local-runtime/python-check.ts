import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Whether `python` can run the runner (FastAPI and uvicorn importable).
 * Returns undefined when it can, else what is missing with the exact command
 * that installs it; Berth starts either way and shows this as every app's status.
 */
export function checkPython(python: string, timeoutMs = 15_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      python,
      ['-c', 'import fastapi, uvicorn; print(fastapi.__version__)'],
      { timeout: timeoutMs, env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' } },
      (error, _stdout, stderr) => {
        if (!error) return resolve(undefined);
        const missing =
          'code' in error && error.code === 'ENOENT'
            ? `${python} was not found`
            : `${python} cannot import FastAPI and uvicorn (${lastLine(stderr) || error.message})`;
        resolve(`apps cannot run locally: ${missing}; install them with: ${installCommand(python)}`);
      },
    );
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

/** Debian and Ubuntu package them (what the tests use); elsewhere pip. */
export function installCommand(python: string): string {
  if (existsSync('/usr/bin/apt-get') && python === '/usr/bin/python3') return 'sudo apt-get install -y python3 python3-fastapi python3-uvicorn';
  return `${python} -m pip install --user fastapi uvicorn`;
}
