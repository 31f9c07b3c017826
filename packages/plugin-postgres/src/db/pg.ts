import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { encodeBinaryCopy } from './binary.js';
import type { CopySpec, Db, PoolStats, Queryable, QueryResult } from './types.js';
import { assertIdentifier, copyText } from './types.js';

/** Settings of a node-postgres pool. */
export interface PgDbOptions {
  url: string;
  /** Connections in the pool. Default 10. */
  max?: number;
  /** Milliseconds to wait for a new connection before failing. Default 5,000. */
  connectTimeoutMs?: number;
  /** Milliseconds an idle connection is kept. Default 30,000. */
  idleTimeoutMs?: number;
  /** Per-statement timeout in ms (0 = none). Default 60,000. */
  statementTimeoutMs?: number;
  /** Called with errors of idle connections (a restart of the server), which would otherwise crash. */
  onIdleError?: (err: Error) => void;
}

interface PgClientLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  query(stream: NodeJS.WritableStream): NodeJS.WritableStream;
  release(err?: Error | boolean): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
}

function wrap(client: { query: PgClientLike['query'] }): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const res = await client.query(sql, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
  };
}

async function copyWith(client: PgClientLike, spec: CopySpec): Promise<number> {
  const count = spec.payload ? spec.payload.rows : spec.rows.length;
  if (count === 0) return 0;
  const { from } = await import('pg-copy-streams');
  const cols = spec.columns.map(assertIdentifier).join(', ');
  const format = spec.payload || spec.binary ? ' WITH (FORMAT binary)' : '';
  const stream = client.query(from(`COPY ${assertIdentifier(spec.table)} (${cols}) FROM STDIN${format}`));
  // Pieces are encoded as the socket takes them: the server works on one while we encode the next.
  const source = spec.payload
    ? Readable.from(spec.payload.pieces(), { objectMode: false, highWaterMark: 1 << 16 })
    : Readable.from([spec.binary ? encodeBinaryCopy(spec.binary, spec.rows) : copyText(spec.rows)]);
  await pipeline(source, stream);
  return count;
}

/**
 * Opens a pool on a PostgreSQL server. `pg` is imported here, lazily, so that importing the
 * plugin costs nothing. The URL (which may hold a password) never appears in errors we raise.
 */
export async function openPg(options: PgDbOptions): Promise<Db> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    statement_timeout: options.statementTimeoutMs ?? 60_000,
    application_name: 'ispmonitor',
  });
  // Without a listener, an idle connection dropped by a server restart kills the process.
  pool.on('error', (err: Error) => options.onIdleError?.(err));
  /**
   * A checked-out connection has no pool listener: if the server drops it between two queries
   * (a restart in the middle of a transaction), `pg` emits 'error' on the client and, unheard,
   * that kills the process. Heard here, the error is kept; the next query on the client fails
   * with it and the client is discarded on release.
   */
  const checkOut = async (): Promise<{ client: PgClientLike; done: (err?: Error) => void }> => {
    const client = (await pool.connect()) as unknown as PgClientLike;
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost = err;
    };
    client.on('error', onError);
    return {
      client,
      done(err) {
        client.off('error', onError);
        client.release(err ?? lost ?? false);
      },
    };
  };
  let closed = false;
  const db: Db = {
    engine: 'postgres',
    ...wrap(pool as never),
    async transaction(fn) {
      const { client, done } = await checkOut();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const tx = { ...wrap(client), copy: (spec: CopySpec) => copyWith(client, spec) };
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // The connection itself is gone: tell the pool to discard it rather than reuse it.
          broken = rollbackErr as Error;
        }
        throw err;
      } finally {
        done(broken);
      }
    },
    async copy(spec) {
      const { client, done } = await checkOut();
      let broken: Error | undefined;
      try {
        return await copyWith(client, spec);
      } catch (err) {
        broken = err as Error;
        throw err;
      } finally {
        done(broken);
      }
    },
    poolStats(): PoolStats {
      return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  return db;
}

/** The URL without its password, for logs and health details. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
