import type { Command } from '../command.js';
import { appsCommand } from './apps.js';
import { deployCommand } from './deploy.js';
import { initCommand } from './init.js';
import { loginCommand } from './login.js';
import { releasesCommand } from './releases.js';
import { repoInitCommand } from './repo-init.js';
import { reviewCommand, reviewsCommand } from './review.js';
import { rollbackCommand } from './rollback.js';
import { logsCommand, openCommand } from './runtime-commands.js';
import { statusCommand } from './status.js';
import { templatesCommand } from './templates.js';

/** Every `berth` sub-command; a new command is one file in this folder plus one line here. */
export const COMMANDS: readonly Command[] = [
  repoInitCommand,
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
  reviewsCommand,
  reviewCommand,
];
