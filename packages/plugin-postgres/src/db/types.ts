/**
 * The one seam between our SQL and the two engines we run it on (node-postgres and PGlite).
 * Everything above this interface is engine-neutral: the same migrations, the same statements.
 */
import { monitorError } from '@ispmonitor/core';
import { PostgresErrors } from '../errors.js';
import type { BinaryType } from './binary.js';

/** Result of one statement. */
export interface QueryResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted (0 for a SELECT on engines that do not say). */
  rowCount: number;
}

/** Something that runs parameterised SQL: a connection, or a transaction on one. */
export interface Queryable {
  /** Runs one statement with `$1…$n` parameters. Never interpolate input into `sql`. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

/** A bulk load of rows into a table whose name is a constant of ours (never input). */
export type CopySpec = RowsCopy | EncodedCopy;

/** Rows as values: the engine encodes them. */
export interface RowsCopy {
  /** Target table: a fixed identifier from our schema. */
  table: string;
  columns: readonly string[];
  /** One array per row, in `columns` order; `null` for SQL NULL. */
  rows: ReadonlyArray<ReadonlyArray<string | number | bigint | null>>;
  /** Column types: when given, rows travel in COPY's binary format (no text parsing on the server). */
  binary?: readonly BinaryType[];
  payload?: undefined;
}

/**
 * Rows already encoded in COPY's binary format, produced piece by piece as the engine sends
 * them: on PostgreSQL the server stores the first pieces while this process encodes the next.
 */
export interface EncodedCopy {
  table: string;
  columns: readonly string[];
  payload: BinaryPayload;
}

/** A binary COPY stream (header to trailer) and the number of rows in it. */
export interface BinaryPayload {
  rows: number;
  /** A fresh iteration over the stream's pieces each call (a retry sends it again). */
  pieces(): Iterable<Uint8Array>;
  /**
   * The whole stream at once, in a fresh memory block of its own (its `buffer` may be transferred
   * to another thread; the view may be shorter than the block). Where a producer offers it, PGlite's
   * worker gets the bytes encoded once and handed over, instead of pieces assembled by a copy.
   */
  whole?(): Uint8Array;
}

/** Pool statistics for self-metrics (PGlite reports one connection). */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** A database: PostgreSQL through a pool, or an embedded PGlite. */
export interface Db extends Queryable {
  readonly engine: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable & { copy(spec: CopySpec): Promise<number> }) => Promise<T>): Promise<T>;
  /** Loads rows with the engine's fastest bulk path (COPY FROM STDIN on PostgreSQL). */
  copy(spec: CopySpec): Promise<number>;
  poolStats(): PoolStats;
  /** Closes connections (and releases the PGlite folder lock). Safe to call twice. */
  close(): Promise<void>;
}

/** Identifiers we build are checked against this before they reach SQL. */
export const SAFE_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws unless `name` is a plain lower-case identifier (used for our own constant names only). */
export function assertIdentifier(name: string): string {
  if (!SAFE_IDENTIFIER.test(name)) {
    throw monitorError(PostgresErrors.DB_UNSAFE_IDENTIFIER, `unsafe SQL identifier ${JSON.stringify(name)}`, {
      plugin: 'postgres',
    });
  }
  return name;
}

/**
 * Encodes one value for COPY's text format: `\N` for NULL, and the characters COPY treats
 * specially escaped, so that no value can end a field or a row early.
 */
export function copyField(value: string | number | bigint | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** Renders rows as COPY text (tab-separated, newline-terminated). */
export function copyText(rows: RowsCopy['rows']): string {
  let out = '';
  for (const row of rows) {
    out += row.map(copyField).join('\t');
    out += '\n';
  }
  return out;
}
