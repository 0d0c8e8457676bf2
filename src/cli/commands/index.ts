import type { Command } from '../command.js';
import { appsCommand, deployCommand, initCommand, loginCommand, releasesCommand, rollbackCommand, statusCommand } from '../command-kit.js';
import { repoInitCommand } from './repo-init.js';

/** Every `berth` sub-command; a new command is one file in this folder plus one line here. */
export const COMMANDS: readonly Command[] = [repoInitCommand, loginCommand, appsCommand, initCommand, deployCommand, statusCommand, releasesCommand, rollbackCommand];
