/** The storage plugin's errors, in the shape every package uses (see `ErrorSpec` in core). */
import { codesOf, type ErrorTable } from '@ispmonitor/core';

/** Every error the storage plugin raises. */
export const PostgresErrors = {
  /** The database is not open yet (still connecting or migrating), or could not be opened. */
  DB_NOT_READY: { code: 'ISPM_DB_NOT_READY', message: 'The database is not ready.', status: 503 },
  /** Another process holds the embedded database's folder. */
  DB_DATADIR_LOCKED: {
    code: 'ISPM_DB_DATADIR_LOCKED',
    message: "Another process uses the embedded database's folder.",
    status: 503,
  },
  /** The embedded database's worker thread is gone (it crashed, was closed, or exited while opening). */
  DB_WORKER_GONE: {
    code: 'ISPM_DB_WORKER_GONE',
    message: "The embedded database's worker stopped.",
    status: 503,
  },
  /** The embedded database's worker script is not beside the plugin's code: a broken build or install. */
  DB_WORKER_MISSING: {
    code: 'ISPM_DB_WORKER_MISSING',
    message: "The embedded database's worker script is missing.",
    status: 500,
  },
  /** A table or column name the plugin put in SQL is not a plain lower-case name: a fault of ours. */
  DB_UNSAFE_IDENTIFIER: {
    code: 'ISPM_DB_UNSAFE_IDENTIFIER',
    message: 'An SQL identifier is not a plain lower-case name.',
    status: 500,
  },
  /** A subscriber search text that cannot be searched for. */
  BAD_QUERY: { code: 'ISPM_BAD_QUERY', message: 'The search text is invalid.', status: 400 },
} as const satisfies ErrorTable;

/** The codes of `PostgresErrors`, by the same names. */
export const PostgresErrorCodes = codesOf(PostgresErrors);
