/** Node's error code of a failed system call (`ENOENT`, `EEXIST`…), if it has one: the one errno helper. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
