import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeBinaryCopy } from './binary.js';
import { type FolderLock, lockDataDir } from './lock.js';
import type { CopySpec, Db, Queryable, QueryResult } from './types.js';
import { assertIdentifier, copyText } from './types.js';

/** Where PGlite keeps its data. */
export interface PgliteDbOptions {
  /** Data folder; ignored when `memory` is true. */
  dataDir?: string;
  /** An in-memory database, gone when closed. */
  memory?: boolean;
}

interface PgliteLike {
  query<R>(
    sql: string,
    params?: unknown[],
    opts?: { blob?: Blob },
  ): Promise<{ rows: R[]; affectedRows?: number }>;
  transaction<T>(fn: (tx: PgliteLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  waitReady: Promise<void>;
}

function wrap(db: PgliteLike): Queryable & { copy(spec: CopySpec): Promise<number> } {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const res = await db.query<R>(sql, params as unknown[]);
      return { rows: res.rows, rowCount: res.affectedRows ?? 0 };
    },
    async copy(spec) {
      const count = spec.payload ? spec.payload.rows : spec.rows.length;
      if (count === 0) return 0;
      const cols = spec.columns.map(assertIdentifier).join(', ');
      // PGlite reads COPY input from a Blob mounted at /dev/blob: one call, no per-row parsing in JS.
      const format = spec.payload || spec.binary ? ' WITH (FORMAT binary)' : '';
      const parts = spec.payload
        ? [...spec.payload.pieces()]
        : [spec.binary ? encodeBinaryCopy(spec.binary, spec.rows) : copyText(spec.rows)];
      await db.query(`COPY ${assertIdentifier(spec.table)} (${cols}) FROM '/dev/blob'${format}`, [], {
        blob: new Blob(parts as unknown as ConstructorParameters<typeof Blob>[0]),
      });
      return count;
    },
  };
}

/**
 * Opens an embedded PGlite (imported lazily: it is large and slow to load). A folder database is
 * guarded by a lock file first, so a second process gets a clear error instead of a corrupted
 * folder. PGlite has one connection: statements run one at a time.
 */
export async function openPglite(options: PgliteDbOptions): Promise<Db> {
  let lock: FolderLock | undefined;
  let dataDir: string | undefined;
  if (!options.memory) {
    dataDir = resolve(options.dataDir ?? './.data/pglite');
    lock = lockDataDir(dataDir);
    mkdirSync(dataDir, { recursive: true });
  }
  let pg: PgliteLike;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    pg = (dataDir ? new PGlite(dataDir) : new PGlite()) as unknown as PgliteLike;
    await pg.waitReady;
  } catch (err) {
    lock?.release();
    throw err;
  }
  let closed = false;
  const inner = wrap(pg);
  return {
    engine: 'pglite',
    query: inner.query,
    copy: inner.copy,
    transaction(fn) {
      return pg.transaction((tx) => fn(wrap(tx)));
    },
    poolStats() {
      return { total: 1, idle: 1, waiting: 0 };
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pg.close();
      } finally {
        lock?.release();
      }
    },
  };
}
