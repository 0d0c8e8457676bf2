import { GitUnavailableError, RemoteRejectedError, RepositoryError, type BerthError } from '../../errors.js';

export { RemoteRejectedError, RepositoryError };

/** An HTTP failure status from a Git host as the port's error: auth and missing repositories are final, overload and outages transient. */
export function httpStatusError(action: string, url: string, status: number, statusMessage: string): BerthError {
  if (status === 401 || status === 403) {
    return new RemoteRejectedError(`${action} ${url}: the remote refused the credentials (HTTP ${status})`, { url, status });
  }
  if (status === 404) return new RemoteRejectedError(`${action} ${url}: no repository there (HTTP 404)`, { url, status });
  if (status === 408 || status === 429 || status >= 500) return new GitUnavailableError(`${action} ${url}: HTTP ${status}`, { url, status });
  return new RemoteRejectedError(`${action} ${url}: HTTP ${status} ${statusMessage}`.trim(), { url, status });
}
