/** The driver's errors as the port's typed ones. */
import { MongoNetworkError, MongoOperationTimeoutError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { ConflictError, UnavailableError } from '../../errors.js';

/** MongoDB's duplicate key error code (E11000). */
export const DUPLICATE_KEY = 11000;

/** Whether `error` is a unique index violation. */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** Translates driver errors; anything else passes through unchanged. */
export function toStoreError(error: unknown): unknown {
  if (isDuplicateKey(error) && error instanceof MongoServerError) {
    // Index key names only: the duplicate values (emails, names) stay out of messages and logs.
    const keys = Object.keys(error.keyPattern ?? {});
    return new ConflictError('already exists', { constraint: keys.join(',') });
  }
  if (error instanceof MongoServerSelectionError || error instanceof MongoNetworkError || error instanceof MongoOperationTimeoutError) {
    return new UnavailableError('the database did not answer in time');
  }
  return error;
}

/** Runs a store operation, rethrowing typed errors. */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStoreError(error);
  }
}
