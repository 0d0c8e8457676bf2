/** Renders a range of bench apps off the main thread (see renderBenchAppsInParallel). */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultTemplates } from '../src/adapters/templates/template-files.js';
import type { RenderSettings } from '../src/render/settings.js';
import { renderBenchApps } from './seed-apps.js';

const { from, to, settings } = workerData as { from: number; to: number; settings: RenderSettings };
parentPort?.postMessage(renderBenchApps(from, to, settings, defaultTemplates()));
