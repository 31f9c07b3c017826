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

// A slice's rows are read once, in series and time order (lag/lead): counter steps between
// readings inside the slice come from lag(); the step into the slice, from the last reading of
// the series' latest 5-minute rollup of the hour before (looked up once per series, not per row);
// a bucket's last reading is the row whose next one (lead) is in another bucket. Grouping comes
// before the join to the series table, and the buckets are emptied then filled (plain INSERT), so
// nothing is computed or looked up per raw row beyond the window itself. Recomputed buckets take
// the same path. (Before: 5 extra minutes of raw rows read for lag(), the series join and the
// lookup per raw row, ordered array_agg() per bucket and an upsert: 2.4× the time at 10,000
// routers.)
const BUCKET_5M = `date_bin('5 minutes', ts, timestamptz 'epoch')`;
const ROLLUP_5M_SQL = `
WITH x AS (
  SELECT series_id, ts, value, raw, lag(value) OVER w AS pv, lag(raw) OVER w AS praw,
         row_number() OVER w = 1 AS first, lead(ts) OVER w AS nts
    FROM ispm_samples
   WHERE ts >= $1::timestamptz AND ts < $2::timestamptz
  WINDOW w AS (PARTITION BY series_id ORDER BY ts)),
g AS (
  SELECT series_id, ${BUCKET_5M} AS bucket, count(*) AS n, min(value) AS lo, max(value) AS hi,
         sum(value) AS total, max(ts) AS last_ts,
         max(value) FILTER (WHERE nts IS NULL OR date_bin('5 minutes', nts, timestamptz 'epoch') <> ${BUCKET_5M}) AS last,
         max(raw) FILTER (WHERE nts IS NULL OR date_bin('5 minutes', nts, timestamptz 'epoch') <> ${BUCKET_5M}) AS last_raw,
         sum(ispm_counter_delta(praw, pv, raw, value)) AS inside,
         bool_or(first) AS has_first,
         max(value) FILTER (WHERE first) AS first_value, max(raw) FILTER (WHERE first) AS first_raw
    FROM x
   GROUP BY 1, 2)
INSERT INTO ispm_rollup_5m (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
SELECT g.series_id, g.bucket, g.n, g.lo, g.hi, g.total, g.last, g.last_raw, g.last_ts,
       CASE WHEN s.kind = 'counter' THEN
         CASE WHEN g.has_first AND p.last IS NOT NULL
              THEN coalesce(g.inside, 0) + ispm_counter_delta(p.last_raw, p.last, g.first_raw, g.first_value)
              ELSE g.inside END
       END
  FROM g JOIN ispm_series s ON s.id = g.series_id
  LEFT JOIN LATERAL (
    SELECT r.last, r.last_raw FROM ispm_rollup_5m r
     WHERE g.has_first AND r.series_id = g.series_id
       AND r.bucket >= $1::timestamptz - interval '1 hour' AND r.bucket < $1::timestamptz
     ORDER BY r.bucket DESC LIMIT 1) p ON true`;

// Hours emptied then filled from their 5-minute rollups (read through the BRIN index on bucket).
const ROLLUP_1H_SQL = `
INSERT INTO ispm_rollup_1h (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
SELECT series_id, date_bin('1 hour', bucket, timestamptz 'epoch') AS hour,
       sum(count), min(min), max(max), sum(sum),
       (array_agg(last ORDER BY bucket DESC))[1], (array_agg(last_raw ORDER BY bucket DESC))[1], max(last_ts),
       sum(increase)
  FROM ispm_rollup_5m
 WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz
 GROUP BY 1, 2`;

/**
 * Rolls up [from, to) of one level in `tx`: the range is emptied, then filled (two statements: a
 * DELETE in a WITH clause of the INSERT could run after it, and collide with the new rows).
 */
async function fill(tx: Queryable, level: '5m' | '1h', from: number, to: number): Promise<number> {
  const [table, sql] = level === '5m' ? ['ispm_rollup_5m', ROLLUP_5M_SQL] : ['ispm_rollup_1h', ROLLUP_1H_SQL];
  await tx.query(`DELETE FROM ${table} WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz`, [
    iso(from),
    iso(to),
  ]);
  return (await tx.query(sql, [iso(from), iso(to)])).rowCount;
}

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

/** The start of the oldest day partition of raw samples; undefined when there is none. */
export async function earliestSampleDay(db: Queryable): Promise<number | undefined> {
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

/**
 * Runs `fn` in a transaction that holds the rollup lock; undefined when another replica holds it.
 * Its statements get `timeoutMs` instead of the pool's timeout (meant for writes and reads): a
 * slice of a large fleet takes minutes, and a rollup cut off at the pool's limit would be retried
 * and cut off again every round, never catching up.
 */
async function underLock<T>(
  db: Db,
  timeoutMs: number,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T | undefined> {
  return db.transaction(async (tx) => {
    const r = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
      ROLLUP_LOCK_KEY,
    ]);
    if (r.rows[0]?.ok !== true) return undefined;
    await tx.query("SELECT set_config('statement_timeout', $1, true)", [String(Math.round(timeoutMs))]);
    return fn(tx);
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
export async function runRollups(
  db: Db,
  now: number,
  latenessMs: number,
  statementTimeoutMs: number,
): Promise<RollupReport> {
  const report: RollupReport = { rows5m: 0, rows1h: 0, ran: true };
  const skipped = { ...report, ran: false };

  const end5 = floorTo(now - ROLLUP_SETTLE_MS, FIVE_MIN);
  const done5 = await watermark(db, 'rollup_5m');
  const first = done5 === undefined ? await earliestSampleDay(db) : done5;
  if (first !== undefined && first < end5) {
    await ensurePartitions(db, ROLLUP_5M, first, end5);
    for (let s = first; s < end5; s += SLICE) {
      const e = Math.min(end5, s + SLICE);
      const rows = await underLock(db, statementTimeoutMs, async (tx) => {
        // Another replica may have got this far since the watermark was read.
        const from = Math.max(s, (await watermark(tx, 'rollup_5m')) ?? s);
        if (from >= e) return 0;
        const rows = await fill(tx, '5m', from, e);
        await setWatermark(tx, 'rollup_5m', e);
        return rows;
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
    const rows = await underLock(db, statementTimeoutMs, async (tx) => {
      await tx.query(
        'DELETE FROM ispm_rollup_dirty WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz',
        [iso(s), iso(e)],
      );
      return recompute ? fill(tx, '5m', s, e) : 0;
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
    const rows = await underLock(db, statementTimeoutMs, async (tx) => {
      const rows = await fill(tx, '1h', s, e);
      if (e <= endH && s >= firstH) await setWatermark(tx, 'rollup_1h', e);
      return rows;
    });
    if (rows === undefined) return skipped;
    report.rows1h += rows;
  }
  if (firstH < endH) report.hourUntil = endH;
  return report;
}
