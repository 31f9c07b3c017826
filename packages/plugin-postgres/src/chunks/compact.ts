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
} from '../schema/partitions.js';
import type { ChunkSamples } from './codec.js';
import { CHUNK_WINDOW_MS, mergeSamples, parseRaw, setChunkWatermark } from './read.js';
import { decodeStored, encodeWindow, type StoredChunk } from './times.js';
import { insertChunks } from './write.js';

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

interface Row {
  series_id: number;
  ts: number;
  value: number;
  raw: string | null;
}

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
  for (;;) {
    const oldest = await db.query<{ t: number | null }>(
      'SELECT (extract(epoch FROM min(ts)) * 1000)::float8 AS t FROM ispm_samples WHERE ts < $1::timestamptz',
      [iso(boundary)],
    );
    const t = oldest.rows[0]?.t;
    if (t === null || t === undefined) break;
    const start = Math.floor(Number(t) / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
    if (report.windows >= (o.maxWindows ?? 12)) {
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

async function compactWindow(
  db: Db,
  start: number,
  o: CompactOptions,
  report: CompactReport,
): Promise<boolean> {
  const end = start + CHUNK_WINDOW_MS;
  await ensurePartitions(db, CHUNKS, start, start);
  await ensurePartitions(db, CHUNK_TIMES, start, start);
  const limit = o.batchRows ?? 200_000;
  let after = -1;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      // One snapshot for the whole batch: the rows deleted are exactly the rows read, even when
      // a late row for the window is written meanwhile (it stays, for the next round).
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
        ROLLUP_LOCK_KEY,
      ]);
      if (lock.rows[0]?.ok !== true) return undefined;
      await tx.query("SELECT set_config('statement_timeout', $1, true)", [
        String(Math.round(o.statementTimeoutMs)),
      ]);
      let rows = await readRows(tx, start, end, after, limit);
      if (rows.length === 0) return { last: undefined };
      if (rows.length === limit) {
        const lastId = rows[rows.length - 1]?.series_id as number;
        const whole = rows.filter((r) => r.series_id !== lastId);
        // One series alone fills the batch: read all of it.
        rows = whole.length > 0 ? whole : await readRows(tx, start, end, after, undefined, lastId);
      }
      const lastId = rows[rows.length - 1]?.series_id as number;
      await writeBatch(tx, rows, start, end, report);
      // Readers look for chunks below the watermark: it covers them as they commit.
      await setChunkWatermark(tx, end);
      return { last: lastId };
    });
    if (done === undefined) return false;
    if (done.last === undefined) return true;
    after = done.last;
  }
}

async function readRows(
  tx: Queryable,
  start: number,
  end: number,
  after: number,
  limit: number | undefined,
  only?: number,
): Promise<Row[]> {
  const res = await tx.query<Row>(
    `SELECT series_id, (extract(epoch FROM ts) * 1000)::float8 AS ts, value, raw::text AS raw
       FROM ispm_samples
      WHERE ts >= $1::timestamptz AND ts < $2::timestamptz AND series_id > $3
        AND ($4::int IS NULL OR series_id = $4)
      ORDER BY series_id, ts ${limit === undefined ? '' : `LIMIT ${Math.trunc(limit)}`}`,
    [iso(start), iso(end), after, only ?? null],
  );
  return res.rows;
}

async function writeBatch(
  tx: Queryable,
  rows: readonly Row[],
  start: number,
  end: number,
  report: CompactReport,
): Promise<void> {
  const bySeries = new Map<number, ChunkSamples>();
  for (const r of rows) {
    const id = Number(r.series_id);
    let s = bySeries.get(id);
    if (!s) {
      s = { ts: [], values: [], raws: [] };
      bySeries.set(id, s);
    }
    s.ts.push(Number(r.ts));
    s.values.push(Number(r.value));
    s.raws.push(parseRaw(r.raw));
  }
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
  await insertChunks(tx, start, bySeries, counter, encoded);
  await tx.query(
    'DELETE FROM ispm_samples WHERE series_id = ANY($1::int[]) AND ts >= $2::timestamptz AND ts < $3::timestamptz',
    [ids, iso(start), iso(end)],
  );
  report.chunks += ids.length;
  report.rows += rows.length;
}
