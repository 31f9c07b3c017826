/** The storage plugin's errors, in the shape every package uses (see `ErrorSpec` in core). */
import { codesOf, defineErrors } from '@ispmonitor/core';

/** Every error the storage plugin raises. */
export const PostgresErrors = defineErrors({
  /** The database is not open yet (still connecting or migrating), or could not be opened. */
  DB_NOT_READY: ['ISPM_DB_NOT_READY', 503, 'The database is not ready.'],
  /** Another process holds the embedded database's folder. */
  DB_DATADIR_LOCKED: ['ISPM_DB_DATADIR_LOCKED', 503, "Another process uses the embedded database's folder."],
  /** The embedded database's worker thread is gone (it crashed, was closed, or exited while opening). */
  DB_WORKER_GONE: ['ISPM_DB_WORKER_GONE', 503, "The embedded database's worker stopped."],
  /** The embedded database's worker script is not beside the plugin's code: a broken build or install. */
  DB_WORKER_MISSING: ['ISPM_DB_WORKER_MISSING', 500, "The embedded database's worker script is missing."],
  /** A table or column name the plugin put in SQL is not a plain lower-case name: a fault of ours. */
  DB_UNSAFE_IDENTIFIER: [
    'ISPM_DB_UNSAFE_IDENTIFIER',
    500,
    'An SQL identifier is not a plain lower-case name.',
  ],
  /** A subscriber search text that cannot be searched for. */
  BAD_QUERY: ['ISPM_BAD_QUERY', 400, 'The search text is invalid.'],
});

/** The codes of `PostgresErrors`, by the same names. */
export const PostgresErrorCodes = codesOf(PostgresErrors);
