/**
 * The Git port (src/ports/git.ts) over isomorphic-git on a local bare
 * repository, optionally mirroring a remote over smart HTTP.
 */
export { createLocalGit } from './local-git.js';
export type { LocalGit } from './local-git.js';
export type { LocalGitOptions, RemoteAuth, RemoteOptions } from './options.js';
export { RemoteRejectedError, RepositoryError } from './git-errors.js';
export { RefLockedError } from './ref-lock.js';
export { createHttpClient } from './http-client.js';
export type { ClosableHttpClient } from './http-client.js';
