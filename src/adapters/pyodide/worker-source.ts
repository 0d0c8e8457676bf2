/**
 * The worker thread that owns Pyodide. It is plain CommonJS run with
 * `eval: true`, so it needs no build step of its own and works the same under
 * tsx, vitest and compiled output. Pyodide runs Python on the thread that
 * calls it; keeping it here means a pathological file can only stall this
 * worker, which the validator terminates on its deadline.
 *
 * Protocol (all payloads are JSON strings, so no Python proxies cross threads):
 *   → {id, kind: 'validate' | 'syntax', payload}
 *   ← {kind: 'ready', defaults, version} | {kind: 'load-failed', message}
 *   ← {kind: 'result', id, json} | {kind: 'failed', id, message}
 */
export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  try {
    const { loadPyodide } = require(workerData.pyodidePath);
    const options = { stdout: () => {}, stderr: () => {} };
    if (workerData.indexURL) options.indexURL = workerData.indexURL;
    const pyodide = await loadPyodide(options);
    pyodide.FS.mkdirTree('/berth');
    pyodide.FS.writeFile('/berth/validation.py', workerData.source);
    pyodide.runPython("import sys\nsys.path.insert(0, '/berth')\nimport validation");
    const validation = pyodide.pyimport('validation');
    const handlers = { validate: validation.validate_json, syntax: validation.syntax_json };
    const defaults = pyodide.runPython('import json, validation\njson.dumps(list(validation.DEFAULT_ALLOWED_IMPORTS))');
    const version = pyodide.runPython('import sys\nsys.version.split()[0]');
    parentPort.on('message', (message) => {
      try {
        const json = handlers[message.kind](message.payload);
        parentPort.postMessage({ kind: 'result', id: message.id, json });
      } catch (error) {
        parentPort.postMessage({ kind: 'failed', id: message.id, message: String((error && error.message) || error) });
      }
    });
    parentPort.postMessage({ kind: 'ready', defaults, version });
  } catch (error) {
    parentPort.postMessage({ kind: 'load-failed', message: String((error && error.stack) || error) });
  }
})();
`;
