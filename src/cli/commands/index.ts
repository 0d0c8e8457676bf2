import type { Command } from '../command.js';
import { appsCommand } from './apps.js';
import { backupCommand, restoreCommand } from './backup.js';
import { completionCommand } from './completion.js';
import { deleteCommand } from './delete.js';
import { envCommand } from './env.js';
import { envSetCommand } from './env-set.js';
import { envUnsetCommand } from './env-unset.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { sleepCommand } from './sleep.js';
import { wakeCommand } from './wake.js';
import { deployCommand } from './deploy.js';
import { initCommand } from './init.js';
import { loginCommand } from './login.js';
import { releasesCommand } from './releases.js';
import { repoInitCommand } from './repo-init.js';
import { repoUpgradeCommand } from './repo-upgrade.js';
import { reviewCommand, reviewsCommand } from './review.js';
import { rollbackCommand } from './rollback.js';
import { logsCommand, openCommand } from './runtime-commands.js';
import { statusCommand } from './status.js';
import { templatesCommand } from './templates.js';

/** Every `berth` sub-command; a new command is one file in this folder plus one line here. */
export const COMMANDS: readonly Command[] = [
  repoInitCommand,
  repoUpgradeCommand,
  loginCommand,
  appsCommand,
  templatesCommand,
  initCommand,
  deployCommand,
  statusCommand,
  releasesCommand,
  rollbackCommand,
  logsCommand,
  openCommand,
  envCommand,
  envSetCommand,
  envUnsetCommand,
  pushCommand,
  pullCommand,
  sleepCommand,
  wakeCommand,
  deleteCommand,
  completionCommand,
  backupCommand,
  restoreCommand,
  reviewsCommand,
  reviewCommand,
];
