/** Types of pg-server.mjs (plain JavaScript, shared by the PostgreSQL tests and benchmarks). */

/** Debian's PostgreSQL 15 binaries. */
export const PG_BIN: string;

/** A free TCP port on 127.0.0.1. */
export function freeTcpPort(): Promise<number>;

/** What `startPostgres` starts from. */
export interface PostgresOptions {
  /** Prefix of the temp folder (default `ispm-pg-`). */
  prefix?: string;
  /** A data folder kept across runs: created when it holds no cluster, reused otherwise, never removed. */
  dataDir?: string;
  /** Lines for `postgresql.auto.conf` besides port, address and socket folder. */
  settings?: string[];
}

/** A running server. */
export interface Postgres {
  /** The temp folder: socket, log and (unless `dataDir` was given) the data. */
  dir: string;
  data: string;
  port: number;
  /** URL of a database on this server (default `postgres`). */
  url(db?: string): string;
  /** A client tool's arguments to reach database `db` (default `postgres`) as the postgres user. */
  clientArgs(db?: string): string[];
  /** Runs a tool (psql, pg_dump, …) from the server's bin folder as the postgres user. */
  tool(name: string, args: string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  /** psql on database `db`, stopping at the first error. */
  psql(db: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Creates database `name` (lower-case letters, digits, `_`); returns its URL. */
  createDatabase(name: string): Promise<string>;
  startServer(): Promise<void>;
  /** `pg_ctl stop -m fast`: the server goes away, connections break. */
  stopServer(): Promise<void>;
  /** Stops the server and removes the temp folder. */
  stop(): Promise<void>;
}

/** Creates (or reuses `dataDir`) and starts a server. */
export function startPostgres(options?: PostgresOptions): Promise<Postgres>;
