import type { Command } from '../command.js';
import { appsCommand, deployCommand, initCommand, loginCommand, releasesCommand, rollbackCommand, statusCommand } from './app-commands.js';
import { repoInitCommand } from './repo-init.js';
import { repoUpgradeCommand } from './repo-upgrade.js';

/** Every `berth` sub-command; a new command is one file in this folder plus one line here. */
export const COMMANDS: readonly Command[] = [repoInitCommand, repoUpgradeCommand, loginCommand, appsCommand, initCommand, deployCommand, statusCommand, releasesCommand, rollbackCommand];
