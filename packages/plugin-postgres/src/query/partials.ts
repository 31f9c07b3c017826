import { partialsOf } from '../chunks/aggregate.js';
import { loadSamples } from '../chunks/read.js';
import type { Queryable } from '../db/types.js';
import type { Source } from './source.js';

/** Mergeable aggregates of one series in one step bucket. */
export interface Partial {
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  lastTs: number;
  /** Counter increase (sum of non-negative deltas), null for no pair of readings. */
  increase: number | null;
}

/** Parameters of one partial-aggregate read. */
export interface PartialRead {
  ids: number[];
  /** Bucket origin and width in ms. */
  origin: number;
  step: number;
  /** Rows read: [start, end). */
  start: number;
  end: number;
  /** How far before `start` to look for the previous counter reading. */
  lookbackMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

// Raw samples: the previous reading comes from lag() over a window that starts `lookback` early.
const RAW_SQL = `
WITH x AS (
  SELECT series_id, ts, value, raw,
         lag(value) OVER w AS pv, lag(raw) OVER w AS praw
    FROM ispm_samples
   WHERE series_id = ANY($1::int[]) AND ts >= $2::timestamptz AND ts < $4::timestamptz
  WINDOW w AS (PARTITION BY series_id ORDER BY ts))
SELECT series_id,
       floor((extract(epoch FROM ts) * 1000 - $5::float8) / $6::float8)::float8 AS b,
       count(*)::float8 AS count, sum(value) AS sum, min(value) AS min, max(value) AS max,
       (array_agg(value ORDER BY ts DESC))[1] AS last,
       (extract(epoch FROM max(ts)) * 1000)::float8 AS last_ts,
       sum(ispm_counter_delta(praw, pv, raw, value)) AS increase
  FROM x WHERE ts >= $3::timestamptz
 GROUP BY 1, 2`;

// Rollups already hold per-bucket aggregates; regroup them into the requested step.
const rollupSql = (table: 'ispm_rollup_5m' | 'ispm_rollup_1h') => `
SELECT series_id,
       floor((extract(epoch FROM bucket) * 1000 - $4::float8) / $5::float8)::float8 AS b,
       sum(count)::float8 AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max,
       (array_agg(last ORDER BY bucket DESC))[1] AS last,
       (extract(epoch FROM max(last_ts)) * 1000)::float8 AS last_ts,
       sum(increase) AS increase
  FROM ${table}
 WHERE series_id = ANY($1::int[]) AND bucket >= $2::timestamptz AND bucket < $3::timestamptz
 GROUP BY 1, 2`;

const ROLLUP_SQL = { '5m': rollupSql('ispm_rollup_5m'), '1h': rollupSql('ispm_rollup_1h') } as const;

interface Row {
  series_id: number;
  b: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  last_ts: number;
  increase: number | null;
}

/**
 * Reads partial aggregates keyed `seriesId:bucketIndex`. Raw samples older than `chunksUntil`
 * (the compaction watermark) may be in chunks: such a read decodes them here, merged with the
 * rows, and aggregates as the SQL does.
 */
export async function readPartials(
  db: Queryable,
  source: Source,
  r: PartialRead,
  chunksUntil?: number,
): Promise<Map<string, Partial>> {
  if (r.ids.length === 0 || r.end <= r.start) return new Map();
  if (source === 'raw' && chunksUntil !== undefined && r.start - r.lookbackMs < chunksUntil) {
    const samples = await loadSamples(db, r.ids, {
      from: r.start - r.lookbackMs,
      to: r.end,
      toInclusive: false,
    });
    const out = new Map<string, Partial>();
    for (const [id, s] of samples) {
      const parts = new Map<number, Partial>();
      partialsOf(s, r.origin, r.step, r.start, r.end, parts);
      for (const [b, p] of parts) out.set(`${id}:${b}`, p);
    }
    return out;
  }
  const res =
    source === 'raw'
      ? await db.query<Row>(RAW_SQL, [
          r.ids,
          iso(r.start - r.lookbackMs),
          iso(r.start),
          iso(r.end),
          r.origin,
          r.step,
        ])
      : await db.query<Row>(ROLLUP_SQL[source], [r.ids, iso(r.start), iso(r.end), r.origin, r.step]);
  const out = new Map<string, Partial>();
  for (const row of res.rows) {
    out.set(`${row.series_id}:${row.b}`, {
      count: Number(row.count),
      sum: Number(row.sum),
      min: Number(row.min),
      max: Number(row.max),
      last: Number(row.last),
      lastTs: Number(row.last_ts),
      increase: row.increase === null ? null : Number(row.increase),
    });
  }
  return out;
}

/** Merges two partials of the same series and bucket (rollup head + raw tail). */
export function mergePartial(a: Partial, b: Partial): Partial {
  const later = b.lastTs >= a.lastTs ? b : a;
  return {
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    last: later.last,
    lastTs: later.lastTs,
    increase: a.increase === null && b.increase === null ? null : (a.increase ?? 0) + (b.increase ?? 0),
  };
}

/** The value of a bucket for a function; undefined when it has none (no counter pair). */
export function finalize(p: Partial, fn: string, stepMs: number): number | undefined {
  switch (fn) {
    case 'avg':
      return p.sum / p.count;
    case 'min':
      return p.min;
    case 'max':
      return p.max;
    case 'last':
      return p.last;
    case 'increase':
      return p.increase ?? undefined;
    case 'rate':
      return p.increase === null ? undefined : p.increase / (stepMs / 1000);
    default:
      return undefined;
  }
}
