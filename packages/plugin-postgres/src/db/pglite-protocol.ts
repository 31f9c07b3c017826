/**
 * Messages between the main thread and the PGlite worker (see pglite-worker.ts, pglite-host.ts).
 * Types only: the worker is loaded on its own (from source in tests), so it may import nothing
 * of ours at run time.
 */

/** What the worker needs to open PGlite. */
export interface WorkerInit {
  /** URL (or bare name) of `@electric-sql/pglite`, resolved by the main thread. */
  pgliteUrl: string;
  /** Data folder; absent for an in-memory database. */
  dataDir?: string;
  /**
   * Niceness to give the worker thread (Linux: 1–19, lower priority than the poll loop's thread);
   * absent or 0 leaves it as the process's.
   */
  nice?: number;
}

/** Sent once by the worker after it applied `WorkerInit.nice`: what it got, or why not. */
export interface WorkerNiced {
  niced: true;
  /** The thread's niceness now (undefined when it could not be read). */
  nice?: number;
  error?: string;
}

/** One statement, in a transaction when `tx` is set. */
export interface QueryRequest {
  op: 'query';
  id: number;
  tx?: number;
  sql: string;
  params: readonly unknown[];
}

/** A COPY … FROM '/dev/blob' with its input (one buffer, transferred). */
export interface CopyRequest {
  op: 'copy';
  id: number;
  tx?: number;
  sql: string;
  bytes: Uint8Array;
}

/** Opens transaction `tx`: answered once BEGIN has run (other statements then wait for it). */
export interface BeginRequest {
  op: 'begin';
  id: number;
  tx: number;
}

/** Ends transaction `tx`: COMMIT when `commit`, else ROLLBACK. */
export interface EndRequest {
  op: 'end';
  id: number;
  tx: number;
  commit: boolean;
}

/** Closes PGlite (the worker then exits on its own). */
export interface CloseRequest {
  op: 'close';
  id: number;
}

/** Anything the main thread sends. */
export type WorkerRequest = QueryRequest | CopyRequest | BeginRequest | EndRequest | CloseRequest;

/**
 * An error as it crosses the thread boundary: its message and every plain field PostgreSQL
 * gives (code, detail, hint, constraint, table …), so callers see what the in-process engine gave.
 */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, string | number | boolean>;
}

/** The answer to request `id`. */
export type WorkerReply =
  | { id: number; ok: true; rows: unknown[]; rowCount: number }
  | { id: number; ok: false; error: WireError };

/** Sent once by the worker: PGlite is open (`ok`) or could not be opened. */
export type WorkerReady = { ready: true; ok: true } | { ready: true; ok: false; error: WireError };
