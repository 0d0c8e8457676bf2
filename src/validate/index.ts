/**
 * Validation of app code for the API: TypeScript pre-checks of paths and
 * sizes, then runner/validation.py run inside Pyodide on a worker thread.
 */
export { createPythonValidator, type PythonValidator, type PythonValidatorOptions } from './python-validator.js';
export { CODE_LIMITS, precheckFiles, sortProblems } from './prechecks.js';
export { FairQueue, fairLimits, type FairQueueLimits, type ValidationCaller, type ValidationPurpose } from './fair-validation.js';
export { createValidatorPool, defaultPoolSize, verdictKey, type ValidatorPool, type ValidatorPoolOptions } from './validator-pool.js';
