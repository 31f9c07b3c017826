import type { Queryable } from '../db/types.js';
import { mergePartial, type Partial } from '../query/partials.js';
import { type RollupRow, rollup1h, rollup5mByWindow } from './aggregate.js';
import { CHUNK_WINDOW_MS, loadSamples } from './read.js';

const HOUR = 3_600_000;

/** Parameters of a read of rollup rows not written yet. */
export interface VirtualRead {
  ids: number[];
  /** Buckets read: [start, end), aligned to the level's width. */
  start: number;
  end: number;
  /** Bucket origin and width of the query (ms). */
  origin: number;
  step: number;
}

/**
 * With chunks, rollups are written when a window is compacted, hours after the row-table rounds
 * would have written them. A long-range query must not see that difference: the rollup buckets
 * the row layout would hold by now (up to its watermark) are computed here from the hot rows,
 * as rollup rows, then regrouped into the query's steps exactly as stored rollup rows are.
 */
export async function virtualRollupPartials(
  db: Queryable,
  level: '5m' | '1h',
  r: VirtualRead,
): Promise<Map<string, Partial>> {
  const out = new Map<string, Partial>();
  if (r.ids.length === 0 || r.end <= r.start) return out;
  const kinds = await db.query<{ id: number; kind: string }>(
    'SELECT id, kind FROM ispm_series WHERE id = ANY($1::int[])',
    [r.ids],
  );
  const counter = new Set(kinds.rows.filter((k) => k.kind === 'counter').map((k) => Number(k.id)));
  // An hour before: the counter step into the first bucket comes from the reading before it.
  // A bucket starting before `end` counts whole, as a stored row would: read to its end.
  const width = level === '5m' ? 300_000 : HOUR;
  const to = Math.ceil(r.end / width) * width;
  const samples = await loadSamples(db, r.ids, { from: r.start - HOUR, to, toInclusive: false });
  for (const [id, s] of samples) {
    const five = rollup5mByWindow(s, counter.has(id), CHUNK_WINDOW_MS, r.start);
    const rows: RollupRow[] = level === '5m' ? five : rollup1h(five);
    for (const row of rows) {
      if (row.bucket >= r.end) continue;
      const key = `${id}:${Math.floor((row.bucket - r.origin) / r.step)}`;
      const p: Partial = {
        count: row.count,
        sum: row.sum,
        min: row.min,
        max: row.max,
        last: row.last,
        lastTs: row.lastTs,
        increase: row.increase,
      };
      const prev = out.get(key);
      out.set(key, prev ? mergePartial(prev, p) : p);
    }
  }
  return out;
}
