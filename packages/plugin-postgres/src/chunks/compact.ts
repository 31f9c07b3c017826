import type { Db, Queryable } from '../db/types.js';
import { ROLLUP_LOCK_KEY } from '../maintenance/rollups.js';
import {
  CHUNK_TIMES,
  CHUNKS,
  ensurePartitions,
  listPartitionNames,
  parsePartitionName,
  partitionEnd,
  SAMPLES,
  windowPartitionName,
} from '../schema/partitions.js';
import type { ChunkSamples } from './codec.js';
import { CHUNK_WINDOW_MS, chunkWatermark, mergeSamples, setChunkWatermark } from './read.js';
import { type TakeFrom, takeRows } from './take.js';
import { decodeStored, encodeWindow, type StoredChunk } from './times.js';
import { type CopyTx, insertChunks } from './write.js';

/** Settings of a compaction round. */
export interface CompactOptions {
  /** Samples younger than this stay rows (ms). A window is compacted once it ended this long ago. */
  hotMs: number;
  /** Statement timeout inside the round's transactions (ms). */
  statementTimeoutMs: number;
  /** Rows read per transaction (whole series only). Default 200,000. */
  batchRows?: number;
  /**
   * Windows compacted per round at most. Default 12 (a day): a database migrated in place with
   * days of rows catches up over several rounds instead of holding one round for hours.
   */
  maxWindows?: number;
}

/** What one compaction round did. */
export interface CompactReport {
  /** False when another replica (or a history import) held the lock. */
  ran: boolean;
  windows: number;
  chunks: number;
  rows: number;
  /** Chunks that held samples already and took late rows. */
  reopened: number;
  /** Row partitions emptied by compaction and truncated (their indexes given back). */
  truncated: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One compaction round at `now`: every 2-hour window that ended at least `hotMs` ago and still
 * has rows is moved into chunks — per batch of whole series, one transaction that reads the rows,
 * writes their chunks (merged into the series' chunk when the window had one: a late row re-opens
 * only its chunk) and deletes the rows. A crash loses nothing (the transaction is undone) and the
 * next round redoes the batch; a round with nothing to do reads one index range. Rollups are not
 * written here: until raw samples expire they are computed from the chunks' samples when read,
 * and `materializeRollups` writes them, in one pass over the chunks, before the chunks are dropped.
 */
export async function compact(db: Db, now: number, o: CompactOptions): Promise<CompactReport> {
  const report: CompactReport = {
    ran: true,
    windows: 0,
    chunks: 0,
    rows: 0,
    reopened: 0,
    truncated: [],
  };
  const boundary = Math.floor((now - o.hotMs) / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
  // Where every window below is done: the boundary, or the first window left for the next round.
  let doneUntil = boundary;
  const max = o.maxWindows ?? 12;
  const mark = await chunkWatermark(db);
  // Below the watermark only late rows are left (a compacted window's rows are deleted): found
  // by the oldest row there, window after window. From the watermark (or the oldest row, the
  // first time) the windows still hold their rows: each is checked for one row and compacted.
  // (A min(ts) per window re-read every row below the boundary each time: two thirds of the
  // server's time in a day's round.)
  let first = mark === undefined ? undefined : Math.floor(mark / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
  if (mark === undefined) {
    const t = await oldestRow(db, Number.NEGATIVE_INFINITY, boundary);
    first = t === undefined ? undefined : Math.floor(t / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
  } else {
    let lo = Number.NEGATIVE_INFINITY;
    for (;;) {
      const t = await oldestRow(db, lo, Math.min(mark, boundary));
      if (t === undefined) break;
      const start = Math.floor(t / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
      if (report.windows >= max) {
        doneUntil = start;
        first = undefined;
        break;
      }
      if (!(await compactWindow(db, start, o, report))) return { ...report, ran: false };
      report.windows++;
      lo = start + CHUNK_WINDOW_MS;
    }
  }
  for (let start = first ?? boundary; start < boundary; start += CHUNK_WINDOW_MS) {
    if (!(await hasRows(db, start, start + CHUNK_WINDOW_MS))) continue;
    if (report.windows >= max) {
      doneUntil = start;
      break;
    }
    if (!(await compactWindow(db, start, o, report))) return { ...report, ran: false };
    report.windows++;
  }
  // Batches moved the chunk level as they committed (GREATEST: never backwards).
  await setChunkWatermark(db, doneUntil);
  report.truncated = await truncateEmptied(db, boundary);
  return report;
}

/** The time (ms) of the oldest row in [from, to), or undefined when there is none. */
async function oldestRow(db: Db, from: number, to: number): Promise<number | undefined> {
  const res = await db.query<{ t: number | null }>(
    `SELECT (extract(epoch FROM min(ts)) * 1000)::float8 AS t FROM ispm_samples
      WHERE ts < $1::timestamptz ${Number.isFinite(from) ? 'AND ts >= $2::timestamptz' : ''}`,
    Number.isFinite(from) ? [iso(to), iso(from)] : [iso(to)],
  );
  const t = res.rows[0]?.t;
  return t === null || t === undefined ? undefined : Number(t);
}

/** Whether [from, to) holds a row: through the BRIN index on ts, stopping at the first one. */
async function hasRows(db: Db, from: number, to: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    // A sequential or primary-key scan would walk other windows' rows to find one here.
    await tx.query(
      "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)",
    );
    const res = await tx.query<{ any: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM ispm_samples WHERE ts >= $1::timestamptz AND ts < $2::timestamptz) AS any',
      [iso(from), iso(to)],
    );
    return res.rows[0]?.any === true;
  });
}

/**
 * Row partitions whose day is wholly compacted hold no rows, but their files and indexes keep
 * the size of the rows they held (VACUUM gives back little of a B-tree): a partition found empty
 * under an exclusive lock (taken without waiting: a busy one is left for the next round) is
 * truncated, which gives everything back. A late row arriving later simply lands in it again.
 */
async function truncateEmptied(db: Db, boundary: number): Promise<string[]> {
  const done: string[] = [];
  for (const name of await listPartitionNames(db, SAMPLES)) {
    const start = parsePartitionName(SAMPLES, name);
    if (start === undefined || partitionEnd(SAMPLES, start) > boundary) continue;
    // A truncated partition is its indexes' first pages: nothing to give back.
    const size = await db.query<{ b: number }>('SELECT pg_total_relation_size($1::regclass)::float8 AS b', [
      name,
    ]);
    if (Number(size.rows[0]?.b) <= 65_536) continue;
    const emptied = await db
      .transaction(async (tx) => {
        await tx.query(`LOCK TABLE ${name} IN ACCESS EXCLUSIVE MODE NOWAIT`);
        const any = await tx.query(`SELECT 1 FROM ${name} LIMIT 1`);
        if (any.rows.length > 0) return false;
        await tx.query(`TRUNCATE ${name}`);
        return true;
      })
      // Best effort: a lock not granted at once (or any failure here) waits for the next round.
      .catch(() => false);
    if (emptied) done.push(name);
  }
  return done;
}

/** Series per batch at first: a 2-hour window of one-minute polls holds 120 rows a series. */
const ROWS_PER_SERIES = 120;

/**
 * Moves window [start, start + 2 h) into chunks. A window with its own partition is done in one
 * transaction: rows read (not deleted) batch by batch, chunks written, the partition truncated —
 * a late row for the window waits for the commit meanwhile (a share lock keeps writers out, not
 * readers). A window in a day partition from before the window partitions is done batch by batch,
 * each a transaction that deletes the rows it reads.
 */
async function compactWindow(
  db: Db,
  start: number,
  o: CompactOptions,
  report: CompactReport,
): Promise<boolean> {
  const end = start + CHUNK_WINDOW_MS;
  await ensurePartitions(db, CHUNKS, start, start);
  await ensurePartitions(db, CHUNK_TIMES, start, start);
  const part = await windowPartition(db, start);
  if (part !== undefined) {
    return db.transaction(async (tx) => {
      if (!(await beginBatch(tx, o))) return false;
      await tx.query(`LOCK TABLE ${part} IN SHARE MODE`);
      // Writers of this window (late rows only) wait for the commit; readers do not.
      await eachBatch(tx, o, (after, upto) => moveBatch(tx, start, after, upto, part, report));
      await tx.query(`TRUNCATE ${part}`);
      await setChunkWatermark(tx, end);
      return true;
    });
  }
  const moved = await eachBatch(db, o, (after, upto) =>
    db.transaction(async (tx) => {
      // One snapshot for the whole batch: the rows deleted are exactly the rows read, even when
      // a late row for the window is written meanwhile (it stays, for the next round).
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      if (!(await beginBatch(tx, o))) return undefined;
      const rows = await moveBatch(tx, start, after, upto, null, report);
      // Readers look for chunks below the watermark: it covers them as they commit.
      if (rows > 0) await setChunkWatermark(tx, end);
      return rows;
    }),
  );
  return moved !== undefined;
}

/** The window's own partition when it has one (days created since the window partitions). */
async function windowPartition(db: Queryable, start: number): Promise<string | undefined> {
  const name = windowPartitionName(SAMPLES, start);
  const res = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [name]);
  return res.rows[0]?.ok === true ? name : undefined;
}

/**
 * The round's lock and settings in a transaction; false when another replica holds the lock.
 * Batches read their series range through the primary key (a bitmap scan of the window's BRIN
 * range would read every series of the window for each batch), with no JIT compilation, which
 * costs more than it saves on these statements.
 */
async function beginBatch(tx: Queryable, o: CompactOptions): Promise<boolean> {
  const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
    ROLLUP_LOCK_KEY,
  ]);
  if (lock.rows[0]?.ok !== true) return false;
  await tx.query(
    `SELECT set_config('statement_timeout', $1, true), set_config('enable_bitmapscan', 'off', true),
            set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)`,
    [String(Math.round(o.statementTimeoutMs))],
  );
  return true;
}

/**
 * Calls `step` for consecutive ranges of series ids (after, upto], sized from the rows an id held
 * so far (whole series each, about `batchRows` rows), until the last id; the total of the rows it
 * moved, or undefined as soon as a step returns undefined (the lock was not granted).
 */
async function eachBatch(
  q: Queryable,
  o: CompactOptions,
  step: (after: number, upto: number | undefined) => Promise<number | undefined>,
): Promise<number | undefined> {
  const limit = o.batchRows ?? 200_000;
  let span = Math.max(1, Math.floor(limit / ROWS_PER_SERIES));
  let after = -1;
  let total = 0;
  for (;;) {
    const next = await q.query<{ id: number }>(
      'SELECT id FROM ispm_series WHERE id > $1 ORDER BY id OFFSET $2 LIMIT 1',
      [after, span - 1],
    );
    const upto = next.rows[0] === undefined ? undefined : Number(next.rows[0].id);
    const rows = await step(after, upto);
    if (rows === undefined) return undefined;
    total += rows;
    if (upto === undefined) return total;
    span =
      rows > 0
        ? Math.min(1_000_000, Math.max(1, Math.round((limit * span) / rows)))
        : Math.min(1_000_000, span * 2);
    after = upto;
  }
}

/** One batch's rows into chunks; the rows moved. */
async function moveBatch(
  tx: CopyTx,
  start: number,
  after: number,
  upto: number | undefined,
  from: TakeFrom,
  report: CompactReport,
): Promise<number> {
  if (from !== null) {
    // A window partition is read without a time condition (`takeRows`): the whole partition by
    // a sequential scan (the index's order visits every page once per series on it), a range
    // of series by a bitmap scan of the primary key — never a sequential scan per batch.
    const whole = after < 0 && upto === undefined;
    await tx.query(
      "SELECT set_config('enable_seqscan', $1, true), set_config('enable_bitmapscan', 'on', true)",
      [whole ? 'on' : 'off'],
    );
  }
  const bySeries = await takeRows(tx, start, start + CHUNK_WINDOW_MS, after, upto, from);
  let rows = 0;
  for (const s of bySeries.values()) rows += s.ts.length;
  if (rows > 0) {
    await writeBatch(tx, bySeries, start, report);
    report.rows += rows;
  }
  return rows;
}

async function writeBatch(
  tx: CopyTx,
  bySeries: Map<number, ChunkSamples>,
  start: number,
  report: CompactReport,
): Promise<void> {
  const ids = [...bySeries.keys()];
  const existing = await tx.query<{ series_id: number; data: Uint8Array }>(
    'SELECT series_id, data FROM ispm_chunks WHERE series_id = ANY($1::int[]) AND start_ts = $2::timestamptz',
    [ids, iso(start)],
  );
  const stored = existing.rows.map((c) => ({ series_id: Number(c.series_id), start, data: c.data }));
  const reopened = new Set<number>();
  (await decodeStored(tx, stored)).forEach((old, i) => {
    const id = (stored[i] as StoredChunk).series_id;
    // A re-opened chunk: its samples win over a late row at the same time (as the row table kept the first).
    bySeries.set(id, mergeSamples(old, bySeries.get(id) as ChunkSamples));
    reopened.add(id);
    report.reopened++;
  });
  const kinds = await tx.query<{ id: number; kind: string; device: string | null }>(
    'SELECT id, kind, device FROM ispm_series WHERE id = ANY($1::int[])',
    [ids],
  );
  const counter = new Set(kinds.rows.filter((k) => k.kind === 'counter').map((k) => Number(k.id)));
  const taken = await tx.query<{ series_id: number }>(
    'SELECT series_id FROM ispm_chunk_times WHERE series_id = ANY($1::int[]) AND start_ts = $2::timestamptz',
    [ids, iso(start)],
  );
  const encoded = encodeWindow(
    bySeries,
    new Map(kinds.rows.map((k) => [Number(k.id), k.device])),
    reopened,
    new Set(taken.rows.map((t) => Number(t.series_id))),
  );
  await insertChunks(tx, start, bySeries, counter, encoded, { table: 'ispm_chunks', replace: reopened });
  report.chunks += ids.length;
}
