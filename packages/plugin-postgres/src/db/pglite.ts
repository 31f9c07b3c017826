import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { encodeBinaryCopy } from './binary.js';
import { type FolderLock, lockDataDir } from './lock.js';
import { PgliteWorkerClient } from './pglite-host.js';
import type { CopySpec, Db, Queryable, QueryResult } from './types.js';
import { assertIdentifier, copyText } from './types.js';

/** Where PGlite keeps its data, and on which thread it runs. */
export interface PgliteDbOptions {
  /** Data folder; ignored when `memory` is true. */
  dataDir?: string;
  /** An in-memory database, gone when closed. */
  memory?: boolean;
  /**
   * `worker` (default): PGlite runs in its own thread, so its WebAssembly work never delays the
   * poller's timers; statements go to it by message. `main`: in this thread, as before (kept for
   * comparison benchmarks). The environment variable `ISPMONITOR_PGLITE_THREAD` overrides it.
   */
  thread?: 'worker' | 'main';
  /**
   * CPU priority of the worker thread as a niceness, 0 (as the process) to 19 (lowest); Linux
   * only (elsewhere ignored), applied once PGlite is open. Default 0. A higher value lets the poll
   * loop's thread run first when both want a core, and PGlite use what is left — but it yields to
   * every other process too: on a machine shared with other busy processes (2 cores at load ~20,
   * 300 routers, nice 10) PGlite stored a quarter of the samples the default stored in the same
   * minutes and the loop's lag did not improve, hence off by default. For a dedicated host.
   * The environment variable `ISPMONITOR_PGLITE_NICE` overrides it.
   */
  nice?: number;
  /** Called once if the worker thread dies (every later call then fails with that error). */
  onWorkerGone?: (err: Error) => void;
}

/** A transaction's handle: statements and COPY inside it. */
type TxHandle = Queryable & { copy(spec: CopySpec): Promise<number> };

const workers = new WeakMap<Db, PgliteWorkerClient>();

/** The worker thread behind a PGlite `Db` (undefined when it runs in this thread): for tests. */
export function pgliteWorkerOf(db: Db): Worker | undefined {
  return workers.get(db)?.thread;
}

/**
 * The worker thread's niceness after `PgliteDbOptions.nice` was applied (undefined when none was
 * asked for, or PGlite runs in this thread), or why it could not be set.
 */
export function pgliteWorkerNice(db: Db): { nice?: number; error?: string } | undefined {
  return workers.get(db)?.niced;
}

/** A COPY as PGlite runs it: the statement (reading /dev/blob) and its input, in one buffer. */
function copyJob(spec: CopySpec): { sql: string; bytes: Uint8Array; count: number } {
  const count = spec.payload ? spec.payload.rows : spec.rows.length;
  const cols = spec.columns.map(assertIdentifier).join(', ');
  const format = spec.payload || spec.binary ? ' WITH (FORMAT binary)' : '';
  const sql = `COPY ${assertIdentifier(spec.table)} (${cols}) FROM '/dev/blob'${format}`;
  // Encoded at once into a block of its own: transferred as it is, no pieces to assemble.
  if (spec.payload?.whole) return { sql, bytes: spec.payload.whole(), count };
  const parts: Uint8Array[] = spec.payload
    ? [...spec.payload.pieces()]
    : [spec.binary ? encodeBinaryCopy(spec.binary, spec.rows) : Buffer.from(copyText(spec.rows))];
  // A fresh buffer of our own, so it can be transferred (small Buffers share a pool).
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.byteLength;
  }
  return { sql, bytes, count };
}

function viaWorker(client: PgliteWorkerClient, tx?: number): TxHandle {
  return {
    query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      return client.call<R>({ op: 'query', tx, sql, params });
    },
    async copy(spec) {
      const job = copyJob(spec);
      if (job.count === 0) return 0;
      await client.call({ op: 'copy', tx, sql: job.sql, bytes: job.bytes }, [
        job.bytes.buffer as ArrayBuffer,
      ]);
      return job.count;
    },
  };
}

/** The worker's niceness: the option, unless the environment says otherwise; 0 when neither is valid. */
export function niceOf(options: Pick<PgliteDbOptions, 'nice'>): number {
  const env = process.env.ISPMONITOR_PGLITE_NICE;
  const n = env !== undefined && env !== '' ? Number(env) : (options.nice ?? 0);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : 0;
}

async function openInWorker(dataDir: string | undefined, options: PgliteDbOptions): Promise<Db> {
  const client = await PgliteWorkerClient.start(dataDir, options.onWorkerGone, niceOf(options) || undefined);
  const outside = viaWorker(client);
  const db: Db = {
    engine: 'pglite',
    query: outside.query,
    copy: outside.copy,
    async transaction(fn) {
      // PGlite's one connection: once BEGIN has run in the worker, statements outside this
      // transaction wait there until it ends, as they do with an in-process PGlite.
      const tx = client.txId();
      await client.call({ op: 'begin', tx });
      let out: Awaited<ReturnType<typeof fn>>;
      try {
        out = await fn(viaWorker(client, tx));
      } catch (err) {
        await client.call({ op: 'end', tx, commit: false }).catch(() => {});
        throw err;
      }
      await client.call({ op: 'end', tx, commit: true });
      return out;
    },
    poolStats: () => client.stats(),
    close: () => client.close(),
  };
  workers.set(db, client);
  return db;
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

function inThread(pg: PgliteLike): TxHandle {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const res = await pg.query<R>(sql, params as unknown[]);
      return { rows: res.rows, rowCount: res.affectedRows ?? 0 };
    },
    async copy(spec) {
      const job = copyJob(spec);
      if (job.count === 0) return 0;
      await pg.query(job.sql, [], { blob: new Blob([job.bytes as unknown as ArrayBuffer]) });
      return job.count;
    },
  };
}

async function openInThread(dataDir: string | undefined): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = (dataDir ? new PGlite(dataDir) : new PGlite()) as unknown as PgliteLike;
  await pg.waitReady;
  const inner = inThread(pg);
  return {
    engine: 'pglite',
    query: inner.query,
    copy: inner.copy,
    transaction: (fn) => pg.transaction((tx) => fn(inThread(tx))),
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close: () => pg.close(),
  };
}

/** The thread PGlite runs on: the option, unless the environment says otherwise. */
function threadOf(options: PgliteDbOptions): 'worker' | 'main' {
  const env = process.env.ISPMONITOR_PGLITE_THREAD;
  if (env === 'main' || env === 'worker') return env;
  return options.thread ?? 'worker';
}

/**
 * Opens an embedded PGlite (loaded lazily: it is large and slow to start), by default in a worker
 * thread. A folder database is guarded by a lock file first, so a second process gets a clear
 * error instead of a corrupted folder. PGlite has one connection: statements run one at a time.
 */
export async function openPglite(options: PgliteDbOptions): Promise<Db> {
  let lock: FolderLock | undefined;
  let dataDir: string | undefined;
  if (!options.memory) {
    dataDir = resolve(options.dataDir ?? './.data/pglite');
    lock = lockDataDir(dataDir);
    mkdirSync(dataDir, { recursive: true });
  }
  let db: Db;
  try {
    db = threadOf(options) === 'worker' ? await openInWorker(dataDir, options) : await openInThread(dataDir);
  } catch (err) {
    lock?.release();
    throw err;
  }
  let closed = false;
  const close = db.close;
  db.close = async () => {
    if (closed) return;
    closed = true;
    try {
      await close();
    } finally {
      lock?.release();
    }
  };
  return db;
}
