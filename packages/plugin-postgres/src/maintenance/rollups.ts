import type { Db } from '../db/types.js';
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
/** Advisory lock key: one replica computes rollups at a time; the others skip the round. */
const ROLLUP_LOCK_KEY = 0x4953_504d_0003;
/** Rollups are computed in slices of this length, so one round never holds a huge transaction. */
const SLICE = 2 * HOUR;

const iso = (ms: number) => new Date(ms).toISOString();
const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;

// The previous reading of each series comes from up to an hour before the slice (lag()), so a
// bucket's counter increase includes the step from the last reading of the bucket before.
const ROLLUP_5M_SQL = `
WITH x AS (
  SELECT series_id, ts, value, raw, lag(value) OVER w AS pv, lag(raw) OVER w AS praw
    FROM ispm_samples
   WHERE ts >= $1::timestamptz - interval '1 hour' AND ts < $2::timestamptz
  WINDOW w AS (PARTITION BY series_id ORDER BY ts))
INSERT INTO ispm_rollup_5m AS r (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
SELECT x.series_id, to_timestamp(floor(extract(epoch FROM x.ts) / 300) * 300) AS bucket,
       count(*), min(x.value), max(x.value), sum(x.value),
       (array_agg(x.value ORDER BY x.ts DESC))[1], (array_agg(x.raw ORDER BY x.ts DESC))[1], max(x.ts),
       CASE WHEN s.kind = 'counter' THEN sum(ispm_counter_delta(x.praw, x.pv, x.raw, x.value)) END
  FROM x JOIN ispm_series s ON s.id = x.series_id
 WHERE x.ts >= $1::timestamptz
 GROUP BY x.series_id, s.kind, 2
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
  /** False when another replica held the rollup lock. */
  ran: boolean;
}

async function watermark(db: Db, level: string): Promise<number | undefined> {
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

/**
 * Computes the 5-minute rollup from raw samples and the hourly rollup from the 5-minute one,
 * incrementally: each level remembers how far it got (`ispm_rollup_state`) and the next round
 * starts `lateness` before that, recomputing those buckets in full (upsert), so samples that
 * arrive late — after an outage, from core's retry buffer — are still counted if they come
 * within `lateness`. Only complete buckets (ending before `now`) are written.
 */
export async function runRollups(db: Db, now: number, latenessMs: number): Promise<RollupReport> {
  const report: RollupReport = { rows5m: 0, rows1h: 0, ran: true };
  const got = await db.transaction(async (tx) => {
    const r = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
      ROLLUP_LOCK_KEY,
    ]);
    return r.rows[0]?.ok === true;
  });
  if (!got) return { ...report, ran: false };

  const end5 = floorTo(now, FIVE_MIN);
  const done5 = await watermark(db, 'rollup_5m');
  const first = done5 === undefined ? await earliestSampleDay(db) : floorTo(done5 - latenessMs, FIVE_MIN);
  if (first !== undefined && first < end5) {
    await ensurePartitions(db, ROLLUP_5M, first, end5);
    for (let s = first; s < end5; s += SLICE) {
      const e = Math.min(end5, s + SLICE);
      report.rows5m += await db.transaction(async (tx) => {
        const res = await tx.query(ROLLUP_5M_SQL, [iso(s), iso(e)]);
        await tx.query(
          `INSERT INTO ispm_rollup_state (level, done_until) VALUES ('rollup_5m', $1::timestamptz)
           ON CONFLICT (level) DO UPDATE SET done_until = GREATEST(ispm_rollup_state.done_until, excluded.done_until)`,
          [iso(e)],
        );
        return res.rowCount;
      });
    }
    report.fiveMinUntil = end5;
  }

  const until5 = await watermark(db, 'rollup_5m');
  if (until5 === undefined) return report;
  const endH = floorTo(until5, HOUR);
  const doneH = await watermark(db, 'rollup_1h');
  const firstH = floorTo(doneH === undefined ? (first ?? until5) : doneH - latenessMs, HOUR);
  if (firstH < endH) {
    await ensurePartitions(db, ROLLUP_1H, firstH, endH);
    for (let s = firstH; s < endH; s += 4 * SLICE) {
      const e = Math.min(endH, s + 4 * SLICE);
      report.rows1h += await db.transaction(async (tx) => {
        const res = await tx.query(ROLLUP_1H_SQL, [iso(s), iso(e)]);
        await tx.query(
          `INSERT INTO ispm_rollup_state (level, done_until) VALUES ('rollup_1h', $1::timestamptz)
           ON CONFLICT (level) DO UPDATE SET done_until = GREATEST(ispm_rollup_state.done_until, excluded.done_until)`,
          [iso(e)],
        );
        return res.rowCount;
      });
    }
    report.hourUntil = endH;
  }
  return report;
}
