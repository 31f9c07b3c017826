import type { Labels } from '@ispmonitor/core';
import type { Queryable } from '../db/types.js';
import type { TopQuery, TopRow } from '../query/top.js';
import { counterDelta } from './aggregate.js';
import type { Exact } from './codec.js';
import { loadSamples } from './read.js';

const HOUR = 3_600_000;

/**
 * Top-N over a window that reaches into compacted chunks: the same per-series value and grouping
 * as the SQL over rows (`query/top.ts`), computed here from the decoded samples. Only windows
 * older than the hot rows come this way (dashboards ask for the last minutes, which stay rows).
 */
export async function topFromChunks(db: Queryable, q: TopQuery, limit: number): Promise<TopRow[]> {
  const from = q.to - q.windowMs;
  if (!(q.windowMs > 0)) return [];
  const series = await db.query<{ id: number; device: string | null; labels: Labels }>(
    'SELECT id, device, labels FROM ispm_series WHERE name = ANY($1::text[]) AND labels @> $2::jsonb',
    [q.names, JSON.stringify(q.labels ?? {})],
  );
  const samples = await loadSamples(
    db,
    series.rows.map((s) => Number(s.id)),
    { from: from - HOUR, to: q.to, toInclusive: true },
  );
  const groups = new Map<string, TopRow>();
  for (const s of series.rows) {
    const d = samples.get(Number(s.id));
    if (!d) continue;
    const v = seriesValue(d.ts, d.values, d.raws, from, q);
    if (v === undefined) continue;
    const key =
      q.by === 'device'
        ? JSON.stringify([s.device])
        : q.by === 'interface'
          ? JSON.stringify([s.device, s.labels.ifName ?? null])
          : String(s.id);
    const g = groups.get(key);
    if (g) g.value += v;
    else
      groups.set(key, {
        device: s.device,
        ...(q.by === 'interface'
          ? { ifName: s.labels.ifName === undefined ? null : String(s.labels.ifName) }
          : {}),
        ...(q.by === 'series' || q.by === undefined ? { labels: s.labels } : {}),
        value: v,
      });
  }
  return [...groups.values()].sort((a, b) => b.value - a.value).slice(0, limit);
}

function seriesValue(
  ts: number[],
  values: number[],
  raws: Array<Exact | null>,
  from: number,
  q: TopQuery,
): number | undefined {
  let n = 0;
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  let last = 0;
  let increase: number | undefined;
  for (let i = 0; i < ts.length; i++) {
    if ((ts[i] as number) < from) continue;
    const v = values[i] as number;
    n++;
    sum += v;
    if (v > max) max = v;
    last = v;
    if (i > 0)
      increase =
        (increase ?? 0) + counterDelta(raws[i - 1] ?? null, values[i - 1] as number, raws[i] ?? null, v);
  }
  if (n === 0) return undefined;
  switch (q.fn) {
    case 'rate':
      return increase === undefined ? undefined : increase / (q.windowMs / 1000);
    case 'avg':
      return sum / n;
    case 'max':
      return max;
    default:
      return last;
  }
}
