import type { Db, Queryable } from '../db/types.js';
import {
  ensurePartitions,
  listPartitionNames,
  parsePartitionName,
  ROLLUP_1H,
  ROLLUP_5M,
  SAMPLES,
} from '../schema/partitions.js';

const FIVE_MIN = 300_000;
const HOUR = 3_600_000;
/**
 * Advisory lock key: one replica computes rollups at a time; the others skip the round. Every
 * transaction that writes rollups holds it (a transaction-scoped lock ends with its transaction).
 */
export const ROLLUP_LOCK_KEY = 0x4953_504d_0003;
/** Rollups are computed in slices of this length, so one round never holds a huge transaction. */
const SLICE = 2 * HOUR;

const iso = (ms: number) => new Date(ms).toISOString();
const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;

// The previous reading of a series comes from the raw samples of the 5 minutes before the slice
// (lag()); a series without one there (polled less often) takes the last reading of its latest
// 5-minute rollup of the hour before. So a bucket's counter increase includes the step from the
// last reading before it, while a round reads little more than the slice itself.
const ROLLUP_5M_SQL = `
WITH x AS (
  SELECT series_id, ts, value, raw, lag(value) OVER w AS pv, lag(raw) OVER w AS praw
    FROM ispm_samples
   WHERE ts >= $1::timestamptz - interval '5 minutes' AND ts < $2::timestamptz
  WINDOW w AS (PARTITION BY series_id ORDER BY ts)),
y AS (
  SELECT x.series_id, x.ts, x.value, x.raw, coalesce(x.pv, p.last) AS pv,
         CASE WHEN x.pv IS NULL THEN p.last_raw ELSE x.praw END AS praw
    FROM x LEFT JOIN LATERAL (
      SELECT r.last, r.last_raw FROM ispm_rollup_5m r
       WHERE x.pv IS NULL AND r.series_id = x.series_id
         AND r.bucket >= $1::timestamptz - interval '1 hour' AND r.bucket < $1::timestamptz
       ORDER BY r.bucket DESC LIMIT 1) p ON true
   WHERE x.ts >= $1::timestamptz)
INSERT INTO ispm_rollup_5m AS r (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
SELECT y.series_id, to_timestamp(floor(extract(epoch FROM y.ts) / 300) * 300) AS bucket,
       count(*), min(y.value), max(y.value), sum(y.value),
       (array_agg(y.value ORDER BY y.ts DESC))[1], (array_agg(y.raw ORDER BY y.ts DESC))[1], max(y.ts),
       CASE WHEN s.kind = 'counter' THEN sum(ispm_counter_delta(y.praw, y.pv, y.raw, y.value)) END
  FROM y JOIN ispm_series s ON s.id = y.series_id
 GROUP BY y.series_id, s.kind, 2
ON CONFLICT (series_id, bucket) DO UPDATE SET
  count = excluded.count, min = excluded.min, max = excluded.max, sum = excluded.sum, last = excluded.last,
  last_raw = excluded.last_raw, last_ts = excluded.last_ts, increase = excluded.increase`;

const ROLLUP_1H_SQL = `
INSERT INTO ispm_rollup_1h AS r (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
SELECT series_id, to_timestamp(floor(extract(epoch FROM bucket) / 3600) * 3600) AS hour,
       sum(count), min(min), max(max), sum(sum),
       (array_agg(last ORDER BY bucket DESC))[1], (array_agg(last_raw ORDER BY bucket DESC))[1], max(last_ts),
       sum(increase)
  FROM ispm_rollup_5m
 WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz
 GROUP BY 1, 2
ON CONFLICT (series_id, bucket) DO UPDATE SET
  count = excluded.count, min = excluded.min, max = excluded.max, sum = excluded.sum, last = excluded.last,
  last_raw = excluded.last_raw, last_ts = excluded.last_ts, increase = excluded.increase`;

/** What one rollup round covered. */
export interface RollupReport {
  /** Watermarks after the round (ms), undefined when there was nothing to roll up. */
  fiveMinUntil?: number;
  hourUntil?: number;
  /** Rows written (inserted or recomputed). */
  rows5m: number;
  rows1h: number;
  /** 5-minute buckets recomputed because late rows arrived in them. */
  recomputed5m?: number;
  /** False when another replica held the rollup lock. */
  ran: boolean;
}

async function watermark(db: Queryable, level: string): Promise<number | undefined> {
  const res = await db.query<{ t: number }>(
    'SELECT (extract(epoch FROM done_until) * 1000)::float8 AS t FROM ispm_rollup_state WHERE level = $1',
    [level],
  );
  return res.rows[0] ? Number(res.rows[0].t) : undefined;
}

async function earliestSampleDay(db: Db): Promise<number | undefined> {
  const starts = (await listPartitionNames(db, SAMPLES))
    .map((n) => parsePartitionName(SAMPLES, n))
    .filter((s): s is number => s !== undefined);
  return starts.length ? Math.min(...starts) : undefined;
}

/** Buckets end this long before a round before it rolls them up: rows of the last polls land. */
export const ROLLUP_SETTLE_MS = 60_000;
/**
 * A written row older than the start of the bucket that was `LATE_AFTER_MS` ago may belong to a
 * bucket a round has already rolled up (rounds take buckets that ended `ROLLUP_SETTLE_MS` ago,
 * more than this): its bucket is marked for recomputation.
 */
export const LATE_AFTER_MS = 30_000;

/** The 5-minute buckets of `ts` (ms) that may already be rolled up at `now`: to mark dirty. */
export function lateBuckets(ts: Iterable<number>, now: number): number[] {
  const limit = floorTo(now - LATE_AFTER_MS, FIVE_MIN);
  const out = new Set<number>();
  for (const t of ts) if (t < limit) out.add(floorTo(t, FIVE_MIN));
  return [...out];
}

/** Marks 5-minute buckets for recomputation by the next rollup round (any replica's). */
export async function markDirty(db: Queryable, buckets: readonly number[]): Promise<void> {
  if (buckets.length === 0) return;
  await db.query(
    `INSERT INTO ispm_rollup_dirty (bucket) SELECT unnest($1::timestamptz[]) ON CONFLICT DO NOTHING`,
    [buckets.map(iso)],
  );
}

/** Consecutive buckets joined into [start, end) slices of at most `max`. */
function slices(buckets: readonly number[], step: number, max: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const b of [...buckets].sort((x, y) => x - y)) {
    const last = out[out.length - 1];
    if (last && last[1] === b && last[1] - last[0] < max) last[1] = b + step;
    else out.push([b, b + step]);
  }
  return out;
}

/** Runs `fn` in a transaction that holds the rollup lock; undefined when another replica holds it. */
async function underLock<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T | undefined> {
  return db.transaction(async (tx) => {
    const r = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
      ROLLUP_LOCK_KEY,
    ]);
    return r.rows[0]?.ok === true ? fn(tx) : undefined;
  });
}

async function setWatermark(tx: Queryable, level: string, until: number): Promise<void> {
  await tx.query(
    `INSERT INTO ispm_rollup_state (level, done_until) VALUES ($1, $2::timestamptz)
     ON CONFLICT (level) DO UPDATE SET done_until = GREATEST(ispm_rollup_state.done_until, excluded.done_until)`,
    [level, iso(until)],
  );
}

/**
 * Computes the 5-minute rollup from raw samples and the hourly rollup from the 5-minute one,
 * incrementally: each level remembers how far it got (`ispm_rollup_state`), and a round computes
 * only the buckets completed since (ending at least `ROLLUP_SETTLE_MS` before `now`) — so the
 * cost of a round follows the rows that arrived, not the size of a window. Rows that arrive late
 * (after an outage, from core's retry buffer) mark their buckets in `ispm_rollup_dirty` as they
 * are written; the next round recomputes those buckets and their hours, when they are no older
 * than `latenessMs`.
 */
export async function runRollups(db: Db, now: number, latenessMs: number): Promise<RollupReport> {
  const report: RollupReport = { rows5m: 0, rows1h: 0, ran: true };
  const skipped = { ...report, ran: false };

  const end5 = floorTo(now - ROLLUP_SETTLE_MS, FIVE_MIN);
  const done5 = await watermark(db, 'rollup_5m');
  const first = done5 === undefined ? await earliestSampleDay(db) : done5;
  if (first !== undefined && first < end5) {
    await ensurePartitions(db, ROLLUP_5M, first, end5);
    for (let s = first; s < end5; s += SLICE) {
      const e = Math.min(end5, s + SLICE);
      const rows = await underLock(db, async (tx) => {
        // Another replica may have got this far since the watermark was read.
        const from = Math.max(s, (await watermark(tx, 'rollup_5m')) ?? s);
        if (from >= e) return 0;
        const res = await tx.query(ROLLUP_5M_SQL, [iso(from), iso(e)]);
        await setWatermark(tx, 'rollup_5m', e);
        return res.rowCount;
      });
      if (rows === undefined) return skipped;
      report.rows5m += rows;
    }
    report.fiveMinUntil = end5;
  }

  // Late rows: recompute their buckets (below the watermark; newer ones are still to come).
  const until5 = await watermark(db, 'rollup_5m');
  if (until5 === undefined) return report;
  const listed = await db.query<{ t: number }>(
    'SELECT (extract(epoch FROM bucket) * 1000)::float8 AS t FROM ispm_rollup_dirty WHERE bucket < $1::timestamptz',
    [iso(until5)],
  );
  const dirtyHours = new Set<number>();
  for (const [s, e] of slices(
    listed.rows.map((r) => Number(r.t)),
    FIVE_MIN,
    SLICE,
  )) {
    // The marks go with the recomputation, in one transaction: a failed round leaves them.
    const recompute = e > now - latenessMs;
    const rows = await underLock(db, async (tx) => {
      await tx.query(
        'DELETE FROM ispm_rollup_dirty WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz',
        [iso(s), iso(e)],
      );
      return recompute ? (await tx.query(ROLLUP_5M_SQL, [iso(s), iso(e)])).rowCount : 0;
    });
    if (rows === undefined) return skipped;
    report.rows5m += rows;
    if (!recompute) continue;
    for (let h = floorTo(s, HOUR); h < e; h += HOUR) dirtyHours.add(h);
    report.recomputed5m = (report.recomputed5m ?? 0) + (e - s) / FIVE_MIN;
  }

  const endH = floorTo(until5, HOUR);
  const doneH = await watermark(db, 'rollup_1h');
  const firstH = floorTo(doneH ?? first ?? until5, HOUR);
  const hours: Array<[number, number]> = [];
  for (let s = firstH; s < endH; s += 4 * SLICE) hours.push([s, Math.min(endH, s + 4 * SLICE)]);
  for (const [s, e] of slices(
    [...dirtyHours].filter((h) => h < firstH),
    HOUR,
    4 * SLICE,
  ))
    hours.push([s, e]);
  for (const [s, e] of hours) {
    await ensurePartitions(db, ROLLUP_1H, s, e);
    const rows = await underLock(db, async (tx) => {
      const res = await tx.query(ROLLUP_1H_SQL, [iso(s), iso(e)]);
      if (e <= endH && s >= firstH) await setWatermark(tx, 'rollup_1h', e);
      return res.rowCount;
    });
    if (rows === undefined) return skipped;
    report.rows1h += rows;
  }
  if (firstH < endH) report.hourUntil = endH;
  return report;
}
