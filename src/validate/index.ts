/**
 * Validation of app code for the API: TypeScript pre-checks of paths and
 * sizes, then runner/validation.py run inside Pyodide on a worker thread.
 */
export { CODE_LIMITS, precheckFiles, sortProblems } from './prechecks.js';
export { FairQueue, fairLimits, type FairQueueLimits, type ValidationCaller, type ValidationPurpose } from './fair-validation.js';
