/**
 * Backfilled time series: 5-minute aggregates written as rows of the 5-minute rollup, and the
 * hourly rollup computed from them, so that charts over days read them like recorded history.
 *
 * The live rollup rounds own everything from the 5-minute watermark on (`ispm_rollup_state`):
 * a round empties a bucket range and refills it from raw samples. So buckets at or after the
 * watermark are not imported (the round would delete them), the watermark is set when no round
 * has run yet (else the first round would empty the imported range), and existing rows win over
 * imported ones (live data is the truth). The hourly watermark is moved only over hours whose
 * every series has been recomputed, so a live round never skips an hour it still owes.
 */

import type { RollupRow } from '../chunks/aggregate.js';
import { chunkWatermark } from '../chunks/read.js';
import type { Db, Queryable } from '../db/types.js';
import { canonicalLabels } from '../ingest/encode.js';
import type { SeriesCache, SeriesKey } from '../ingest/series.js';
import { earliestSampleDay, ROLLUP_LOCK_KEY } from '../maintenance/rollups.js';
import { ensurePartitions, ROLLUP_1H, ROLLUP_5M } from '../schema/partitions.js';
import type { HistorySeries } from '../subscribers/query-types.js';
import { badQuery } from '../subscribers/search-terms.js';

/**
 * `ispm_rollup_state` level: where imported history ends (with chunks on), for reads of the
 * stored rollup rows past the rollup watermark.
 */
export const IMPORTED_LEVEL = 'imported_until';

const FIVE_MIN = 300_000;
const HOUR = 3_600_000;
const CHUNK = 10_000;
const TWO_32 = 4_294_967_296;
const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const iso = (ms: number) => new Date(ms).toISOString();

/** One 5-minute rollup row to write: a live rollup row's figures, without the exact last reading. */
type Row = Pick<RollupRow, 'bucket' | 'count' | 'min' | 'max' | 'sum' | 'last' | 'increase'> & { id: number };

/** The counter step between two readings, as the rollups count it (32-bit wrap, else a reset). */
function counterDelta(prev: number, cur: number): number {
  if (cur >= prev) return cur - prev;
  if (prev < TWO_32 && cur + TWO_32 - prev < 2 ** 31) return cur + TWO_32 - prev;
  return cur;
}

function check(s: HistorySeries, i: number): void {
  const where = `series[${i}]`;
  if (typeof s?.name !== 'string' || s.name.length === 0 || s.name.length > 200)
    throw badQuery(`${where}: name must be a string of 1..200 characters`);
  if (s.kind !== 'counter' && s.kind !== 'gauge') throw badQuery(`${where}: kind must be counter or gauge`);
  if (typeof s.labels !== 'object' || s.labels === null || Array.isArray(s.labels))
    throw badQuery(`${where}: labels must be an object`);
  // PostgreSQL cannot store NUL in text or jsonb.
  if (s.name.includes('\u0000') || JSON.stringify(s.labels).includes('\\u0000'))
    throw badQuery(`${where}: name and labels must not hold NUL characters`);
  if (!Array.isArray(s.buckets)) throw badQuery(`${where}: buckets must be an array`);
  for (const b of s.buckets) {
    const nums = [b?.ts, b?.min, b?.max, b?.sum, b?.last, b?.increase ?? 0];
    if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n)) || !(b.count >= 1))
      throw badQuery(`${where}: every bucket needs finite ts, min, max, sum, last and a count >= 1`);
  }
}

/** Rows of one series in bucket order: one per bucket (the last given wins), increases filled in. */
function rowsOf(id: number, s: HistorySeries, before: number): Row[] {
  const byBucket = new Map<number, HistorySeries['buckets'][number]>();
  for (const b of s.buckets) {
    const bucket = floorTo(b.ts, FIVE_MIN);
    if (bucket < before) byBucket.set(bucket, b);
  }
  const rows: Row[] = [];
  let prev: Row | undefined;
  for (const bucket of [...byBucket.keys()].sort((a, b) => a - b)) {
    const b = byBucket.get(bucket) as HistorySeries['buckets'][number];
    let increase: number | null = null;
    if (s.kind === 'counter') {
      // Like the live rollup: the step into a bucket counts when the previous reading is recent.
      increase =
        b.increase ?? (prev && bucket - prev.bucket <= HOUR ? counterDelta(prev.last, b.last) : null);
    }
    const row = {
      id,
      bucket,
      count: Math.round(b.count),
      min: b.min,
      max: b.max,
      sum: b.sum,
      last: b.last,
      increase,
    };
    rows.push(row);
    prev = row;
  }
  return rows;
}

async function watermark(db: Queryable, level: string): Promise<number | undefined> {
  const res = await db.query<{ t: number }>(
    'SELECT (extract(epoch FROM done_until) * 1000)::float8 AS t FROM ispm_rollup_state WHERE level = $1',
    [level],
  );
  return res.rows[0] ? Number(res.rows[0].t) : undefined;
}

async function setWatermark(db: Queryable, level: string, until: number): Promise<void> {
  await db.query(
    `INSERT INTO ispm_rollup_state (level, done_until) VALUES ($1, $2::timestamptz)
     ON CONFLICT (level) DO UPDATE SET done_until = GREATEST(ispm_rollup_state.done_until, excluded.done_until)`,
    [level, iso(until)],
  );
}

/** Where the live rounds take over: the 5-minute watermark, or where the first round will start. */
async function liveFrom(db: Queryable): Promise<{ from: number | undefined; set: boolean }> {
  const done = await watermark(db, 'rollup_5m');
  if (done !== undefined) return { from: done, set: true };
  return { from: await earliestSampleDay(db), set: false };
}

/**
 * With chunks: where live samples begin (the oldest hot row or chunk), from which the live data
 * owns the buckets; undefined when none is stored yet.
 */
async function firstSample(db: Queryable): Promise<{ from: number | undefined; set: boolean }> {
  const res = await db.query<{ t: number | null }>(
    `SELECT (extract(epoch FROM least((SELECT min(ts) FROM ispm_samples), (SELECT min(first_ts) FROM ispm_chunks))) * 1000)::float8 AS t`,
  );
  const t = res.rows[0]?.t;
  return { from: t === null || t === undefined ? undefined : floorTo(Number(t), FIVE_MIN), set: true };
}

const INSERT_5M = `
INSERT INTO ispm_rollup_5m (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
SELECT id, to_timestamp(b / 1000), n, lo, hi, total, last,
       CASE WHEN last >= 0 AND last <= 9007199254740991 AND last = trunc(last) THEN last::bigint END,
       to_timestamp((b + 299999) / 1000), inc
  FROM unnest($1::int[], $2::float8[], $3::int[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
       AS t(id, b, n, lo, hi, total, last, inc)
ON CONFLICT (series_id, bucket) DO NOTHING`;

// The hourly rollup of [from, to) from the 5-minute rows, as the live round computes it; of the
// given series only, or of every series ($3 NULL).
const UPSERT_1H = `
INSERT INTO ispm_rollup_1h (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
SELECT series_id, date_bin('1 hour', bucket, timestamptz 'epoch'),
       sum(count), min(min), max(max), sum(sum),
       (array_agg(last ORDER BY bucket DESC))[1], (array_agg(last_raw ORDER BY bucket DESC))[1], max(last_ts),
       sum(increase)
  FROM ispm_rollup_5m
 WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ($3::int[] IS NULL OR series_id = ANY($3))
 GROUP BY 1, 2
ON CONFLICT (series_id, bucket) DO UPDATE SET count = excluded.count, min = excluded.min, max = excluded.max,
  sum = excluded.sum, last = excluded.last, last_raw = excluded.last_raw, last_ts = excluded.last_ts,
  increase = excluded.increase`;

/**
 * Writes backfilled series as rollup rows (creating the series and partitions as ingest does);
 * returns the 5-minute rows written. Runs under the rollup lock: no round interleaves with it.
 */
export async function importSeries(
  db: Db,
  cache: SeriesCache,
  list: readonly HistorySeries[],
  statementTimeoutMs: number,
): Promise<number> {
  list.forEach(check);
  if (list.every((s) => s.buckets.length === 0)) return 0;
  const wanted = new Map<string, SeriesKey>();
  list.forEach((s, i) => {
    const labels = Object.fromEntries(Object.entries(s.labels).map(([k, v]) => [k, String(v)]));
    wanted.set(String(i), { name: s.name, labels: canonicalLabels(labels), kind: s.kind, source: labels });
  });
  const ids = await cache.resolve(wanted);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of list) {
    for (const b of s.buckets) {
      lo = Math.min(lo, b.ts);
      hi = Math.max(hi, b.ts);
    }
  }
  // Partitions are created outside the import's transaction (their own, under their own lock).
  await ensurePartitions(db, ROLLUP_5M, floorTo(lo, FIVE_MIN), hi);
  await ensurePartitions(db, ROLLUP_1H, floorTo(lo, HOUR), hi);

  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK_KEY]);
    await tx.query("SELECT set_config('statement_timeout', $1, true)", [
      String(Math.round(statementTimeoutMs)),
    ]);
    const chunked = (await chunkWatermark(tx)) !== undefined;
    const live = chunked ? await firstSample(tx) : await liveFrom(tx);
    const before = live.from ?? Number.POSITIVE_INFINITY;
    const rows = list.flatMap((s, i) => rowsOf(ids.get(String(i)) as number, s, before));
    if (rows.length === 0) return 0;
    let written = 0;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const c = rows.slice(i, i + CHUNK);
      const res = await tx.query(INSERT_5M, [
        c.map((r) => r.id),
        c.map((r) => r.bucket),
        c.map((r) => r.count),
        c.map((r) => r.min),
        c.map((r) => r.max),
        c.map((r) => r.sum),
        c.map((r) => r.last),
        c.map((r) => r.increase),
      ]);
      written += res.rowCount;
    }
    const first = Math.min(...rows.map((r) => r.bucket));
    const last = Math.max(...rows.map((r) => r.bucket));
    const lowH = floorTo(first, HOUR);
    if (chunked) {
      // With chunks, rounds compute the buckets of the samples they hold when read and store
      // rollups only once those expire: imported rows stand beside them, read and merged (their
      // samples are disjoint), and no watermark moves. The hours of the imported series only.
      await tx.query(UPSERT_1H, [
        iso(lowH),
        iso(floorTo(last, HOUR) + HOUR),
        [...new Set(rows.map((r) => r.id))],
      ]);
      // Reads take stored rows past the rollup watermark up to here only: beyond, buckets are
      // the live samples' (and a round's rows not yet covered by its watermark are never read).
      await setWatermark(tx, IMPORTED_LEVEL, last + FIVE_MIN);
      return written;
    }
    // No round has run yet: it will start where the import ends.
    const until5 = live.set ? before : Math.min(before, last + FIVE_MIN);
    if (!live.set) await setWatermark(tx, 'rollup_5m', until5);

    const highH = floorTo(until5, HOUR);
    const doneH = (await watermark(tx, 'rollup_1h')) ?? lowH;
    const seriesIds = [...new Set(rows.map((r) => r.id))];
    // Hours the live rounds have done: the imported series only. Hours they have not: every
    // series (as their round would), after which the hourly watermark may move past them.
    if (lowH < Math.min(doneH, highH))
      await tx.query(UPSERT_1H, [iso(lowH), iso(Math.min(doneH, highH)), seriesIds]);
    if (doneH < highH) {
      await tx.query(UPSERT_1H, [iso(doneH), iso(highH), null]);
      await setWatermark(tx, 'rollup_1h', highH);
    }
    return written;
  });
}
