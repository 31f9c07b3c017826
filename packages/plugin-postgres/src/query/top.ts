import type { Labels } from '@ispmonitor/core';
import { chunkWatermark } from '../chunks/read.js';
import { topFromChunks } from '../chunks/top.js';
import type { Queryable } from '../db/types.js';

/** A top-N request over the window ending at `to`. */
export interface TopQuery {
  /** Metric names summed together (e.g. in and out octets for "busiest interface"). */
  names: string[];
  fn: 'rate' | 'avg' | 'max' | 'last';
  /** Group rows by series, by device, or by device and `ifName`. Default `series`. */
  by?: 'series' | 'device' | 'interface';
  windowMs: number;
  to: number;
  limit?: number;
  /** Equality matchers on labels. */
  labels?: Labels;
}

export interface TopRow {
  device: string | null;
  ifName?: string | null;
  labels?: Labels;
  value: number;
}

const GROUP = {
  series: { key: 's.id', cols: 's.device, NULL::text AS if_name, s.labels' },
  device: { key: 's.device', cols: 's.device, NULL::text AS if_name, NULL::jsonb AS labels' },
  interface: {
    key: "s.device, s.labels->>'ifName'",
    cols: "s.device, s.labels->>'ifName' AS if_name, NULL::jsonb AS labels",
  },
} as const;

// Per-series value over the window first, then summed per group; the fn picks a fixed expression.
const VALUE = {
  rate: 'sum(ispm_counter_delta(praw, pv, raw, value)) / $5::float8',
  avg: 'avg(value)',
  max: 'max(value)',
  last: '(array_agg(value ORDER BY ts DESC))[1]',
} as const;

/**
 * The N highest series or groups over a window: busiest interfaces by rate, highest CPU by
 * average, … Read from the raw samples (with one extra hour for the first counter delta).
 */
export async function topN(db: Queryable, q: TopQuery): Promise<TopRow[]> {
  const by = GROUP[q.by ?? 'series'];
  const expr = VALUE[q.fn];
  if (!by || !expr) throw new RangeError('bad top-N query');
  const from = q.to - q.windowMs;
  const limit = Math.max(1, Math.min(1000, Math.trunc(q.limit ?? 10)));
  // A window (with its hour of lookback) reaching below the compaction watermark reads chunks.
  const mark = await chunkWatermark(db);
  if (mark !== undefined && from - 3_600_000 < mark) return topFromChunks(db, q, limit);
  const res = await db.query<{
    device: string | null;
    if_name: string | null;
    labels: Labels | null;
    value: number;
  }>(
    `WITH s AS (SELECT id, device, labels FROM ispm_series WHERE name = ANY($1::text[]) AND labels @> $2::jsonb),
     x AS (SELECT series_id, ts, value, raw, lag(value) OVER w AS pv, lag(raw) OVER w AS praw
             FROM ispm_samples
            WHERE series_id IN (SELECT id FROM s) AND ts >= $3::timestamptz - interval '1 hour'
              AND ts <= $4::timestamptz
           WINDOW w AS (PARTITION BY series_id ORDER BY ts)),
     per AS (SELECT series_id, ${expr} AS v FROM x WHERE ts >= $3::timestamptz AND $5::float8 > 0
               GROUP BY series_id)
     SELECT ${by.cols}, sum(per.v)::float8 AS value
       FROM per JOIN s ON s.id = per.series_id
      WHERE per.v IS NOT NULL
      GROUP BY ${by.key}${q.by === 'series' || q.by === undefined ? ', s.device, s.labels' : ''}
      ORDER BY value DESC LIMIT $6`,
    [
      q.names,
      JSON.stringify(q.labels ?? {}),
      new Date(from).toISOString(),
      new Date(q.to).toISOString(),
      q.windowMs / 1000,
      limit,
    ],
  );
  return res.rows.map((r) => ({
    device: r.device,
    ...(q.by === 'interface' ? { ifName: r.if_name } : {}),
    ...(r.labels ? { labels: r.labels } : {}),
    value: Number(r.value),
  }));
}
