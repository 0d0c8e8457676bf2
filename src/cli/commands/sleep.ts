import { lifecycleCommand } from '../lifecycle.js';

export const sleepCommand = lifecycleCommand('sleep', 'put an app to sleep (a commit: replicas 0)');
