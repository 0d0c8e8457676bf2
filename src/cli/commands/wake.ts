import { lifecycleCommand } from '../lifecycle.js';

export const wakeCommand = lifecycleCommand('wake', 'wake a sleeping app (a commit: replicas 1)');
