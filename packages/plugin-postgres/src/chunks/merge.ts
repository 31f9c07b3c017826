import type { Db } from '../db/types.js';
import { ROLLUP_LOCK_KEY } from '../maintenance/rollups.js';
import { CHUNKS, PARTITION_LOCK_KEY, parsePartitionName, partitionName } from '../schema/partitions.js';
import { decodeBySeries } from './decode-series.js';
import { chunkWatermark, setChunkWatermark } from './read.js';
import { encodeWindow } from './times.js';
import { type CopyTx, insertChunks } from './write.js';

/** Settings of a day-merge round. */
export interface MergeOptions {
  /** Statement timeout inside the round's transactions (ms). */
  statementTimeoutMs: number;
  /** Series per transaction (whole devices, so their shared times move together). Default 20,000. */
  batchSeries?: number;
  /** Days merged per round at most. Default 1. */
  maxDays?: number;
}

/** What one day-merge round did. */
export interface MergeReport {
  /** False when another replica or maintenance round held the lock. */
  ran: boolean;
  /** Days merged. */
  days: number;
  /** Chunks read and the day chunks that replaced them. */
  chunksIn: number;
  chunksOut: number;
}

const DAY = 86_400_000;
/** `ispm_rollup_state` level: days before it hold one chunk per series (plus any late ones). */
export const MERGED_LEVEL = 'chunks_merged';
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A day's 2-hour chunks merged into one chunk per series, once the whole day is compacted: a
 * chunk row, its index entry and its plain columns cost about as much as 120 samples' bits, and
 * one row a day instead of twelve gives most of that back; the series of a device share one list
 * of times for the day. Read per batch of whole devices (shared times are never split between
 * batches: the day's old times of those series are replaced with them), all in one transaction
 * under the rollup lock (compaction and materialization never see half a day). A late row compacted into a
 * merged day later gets a window chunk of its own beside the day's; reads merge the two.
 */
export async function mergeDays(db: Db, o: MergeOptions): Promise<MergeReport> {
  const report: MergeReport = { ran: true, days: 0, chunksIn: 0, chunksOut: 0 };
  const compacted = await chunkWatermark(db);
  if (compacted === undefined) return report;
  const until = Math.floor(compacted / DAY) * DAY;
  const mark = await db.query<{ t: number }>(
    'SELECT (extract(epoch FROM done_until) * 1000)::float8 AS t FROM ispm_rollup_state WHERE level = $1',
    [MERGED_LEVEL],
  );
  let from = mark.rows[0] ? Number(mark.rows[0].t) : 0;
  while (from < until && report.days < (o.maxDays ?? 1)) {
    const next = await db.query<{ t: number | null }>(
      `SELECT (extract(epoch FROM min(start_ts)) * 1000)::float8 AS t FROM ispm_chunks
        WHERE start_ts >= $1::timestamptz AND start_ts < $2::timestamptz`,
      [iso(from), iso(until)],
    );
    const t = next.rows[0]?.t;
    if (t === null || t === undefined) {
      await setChunkWatermark(db, until, [MERGED_LEVEL]);
      break;
    }
    const day = Math.floor(Number(t) / DAY) * DAY;
    if (!(await mergeDay(db, day, o, report))) return { ...report, ran: false };
    await setChunkWatermark(db, day + DAY, [MERGED_LEVEL]);
    report.days++;
    from = day + DAY;
  }
  return report;
}

/**
 * Merges one day in one transaction: the merged chunks fill a new table, which then takes the old
 * partition's place (a crash undoes all of it; readers see the old partition until the commit).
 */
async function mergeDay(db: Db, day: number, o: MergeOptions, report: MergeReport): Promise<boolean> {
  // Every series of the day's chunks, whole devices together (a series without a device alone).
  const res = await db.query<{ id: number; device: string | null }>(
    `SELECT s.id, s.device FROM ispm_series s
      WHERE EXISTS (SELECT 1 FROM ispm_chunks c WHERE c.series_id = s.id
                       AND c.start_ts >= $1::timestamptz AND c.start_ts < $2::timestamptz)
      ORDER BY s.device NULLS LAST, s.id`,
    [iso(day), iso(day + DAY)],
  );
  const limit = o.batchSeries ?? 20_000;
  const batches: Array<Array<{ id: number; device: string | null }>> = [];
  let batch: Array<{ id: number; device: string | null }> = [];
  for (const r of res.rows) {
    const last = batch[batch.length - 1];
    if (batch.length >= limit && (r.device === null || r.device !== last?.device)) {
      batches.push(batch);
      batch = [];
    }
    batch.push({ id: Number(r.id), device: r.device });
  }
  if (batch.length) batches.push(batch);
  const part = partitionName(CHUNKS, day);
  const fresh = `${part}_merged`;
  if (parsePartitionName(CHUNKS, part) !== day || !/^[a-z0-9_]+$/.test(fresh))
    throw new Error(`bad partition ${part}`);
  return db.transaction(async (tx) => {
    const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
      ROLLUP_LOCK_KEY,
    ]);
    if (lock.rows[0]?.ok !== true) return false;
    await tx.query("SELECT set_config('statement_timeout', $1, true)", [
      String(Math.round(o.statementTimeoutMs)),
    ]);
    // The day's merged chunks go into a new table that replaces the partition: rewriting rows in
    // place would leave the partition the size of both (no inserts come later to reuse the space).
    await tx.query(`CREATE TABLE ${fresh} (LIKE ispm_chunks INCLUDING DEFAULTS INCLUDING STORAGE)`);
    for (const batch of batches) await mergeBatch(tx, day, batch, fresh, report);
    await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
    await tx.query(`ALTER TABLE ispm_chunks DETACH PARTITION ${part}`);
    await tx.query(`DROP TABLE ${part}`);
    await tx.query(`ALTER TABLE ${fresh} RENAME TO ${part}`);
    // Attaching builds the partition's primary key (the table was filled without one: faster).
    await tx.query(
      `ALTER TABLE ispm_chunks ATTACH PARTITION ${part} FOR VALUES FROM ('${iso(day)}') TO ('${iso(day + DAY)}')`,
    );
    return true;
  });
}

async function mergeBatch(
  tx: CopyTx,
  day: number,
  batch: ReadonlyArray<{ id: number; device: string | null }>,
  into: string,
  report: MergeReport,
): Promise<void> {
  const ids = batch.map((b) => b.id);
  const range = [ids, iso(day), iso(day + DAY)];
  const res = await tx.query<{ series_id: number; s: number; data: Uint8Array }>(
    `SELECT series_id, (extract(epoch FROM start_ts) * 1000)::float8 AS s, data FROM ispm_chunks
      WHERE series_id = ANY($1::int[]) AND start_ts >= $2::timestamptz AND start_ts < $3::timestamptz
      ORDER BY series_id, start_ts`,
    range,
  );
  const stored = res.rows.map((c) => ({ series_id: Number(c.series_id), start: Number(c.s), data: c.data }));
  // In start order: an earlier chunk's sample wins at an equal time (the first reading stored).
  const bySeries = await decodeBySeries(tx, stored);
  const kinds = await tx.query<{ id: number; kind: string }>(
    'SELECT id, kind FROM ispm_series WHERE id = ANY($1::int[])',
    [ids],
  );
  const counter = new Set(kinds.rows.filter((k) => k.kind === 'counter').map((k) => Number(k.id)));
  // The day's old times are shared by these series only (whole devices): replaced with the rest.
  await tx.query(
    'DELETE FROM ispm_chunk_times WHERE series_id = ANY($1::int[]) AND start_ts >= $2::timestamptz AND start_ts < $3::timestamptz',
    range,
  );
  const encoded = encodeWindow(bySeries, new Map(batch.map((b) => [b.id, b.device])), new Set(), new Set());
  await insertChunks(tx, day, bySeries, counter, encoded, { table: into, replace: new Set() });
  report.chunksIn += stored.length;
  report.chunksOut += bySeries.size;
}
