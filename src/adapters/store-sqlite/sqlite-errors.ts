/**
 * better-sqlite3 is synchronous and throws SqliteError with SQLite's
 * extended result code; the port promises typed errors instead.
 */
import Database from 'better-sqlite3';
import { ConflictError, InputError, StoreBusyError } from '../../errors.js';

/** Translates SQLite's errors into the port's typed ones; anything else passes through. */
export function toStoreError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  switch (error.code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return new ConflictError('already exists', { constraint: uniqueColumns(error.message) });
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return new InputError('refers to a record that does not exist');
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      // busy_timeout already waited; a caller with a retry policy may try again.
      return new StoreBusyError('the database is busy');
    default:
      return error;
  }
}

/** "UNIQUE constraint failed: users.email" → "users.email" (column names only, never values). */
function uniqueColumns(message: string): string {
  return message.split(':').slice(1).join(':').trim();
}

/**
 * Runs a synchronous database step behind the async port, so callers get a
 * rejected promise (with a typed error) rather than a synchronous throw.
 */
export async function runSync<T>(step: () => T): Promise<T> {
  try {
    return step();
  } catch (error) {
    throw toStoreError(error);
  }
}
