import type { Queryable } from '../db/types.js';
import { type ChunkSamples, type Exact, exact } from './codec.js';
import { decodeBySeries } from './decode-series.js';
import { mergeSamples } from './samples.js';

/** Width of a chunk window: 2 hours, aligned to the epoch (so a window never straddles a day). */
export const CHUNK_WINDOW_MS = 2 * 3_600_000;
/**
 * How far before a range a chunk holding samples of it may start: a day's window chunks are
 * merged into one chunk starting at midnight (`merge.ts`).
 */
export const CHUNK_REACH_MS = 86_400_000;
/** `ispm_rollup_state` level holding how far compaction has got. */
export const CHUNK_LEVEL = 'chunks';

const iso = (ms: number) => new Date(ms).toISOString();

/** A stored int8 (text from the driver, or a number or bigint) as an `Exact`; null stays null. */
export function parseRaw(raw: string | bigint | number | null | undefined): Exact | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'bigint') return exact(raw);
  // A decimal that rounds into the safe range is that integer exactly (2^53 itself is not safe).
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : BigInt(raw);
}

/** Where compaction has got: windows before it are chunks (plus any late rows); undefined: never ran. */
export async function chunkWatermark(db: Queryable): Promise<number | undefined> {
  const res = await db.query<{ t: number }>(
    'SELECT (extract(epoch FROM done_until) * 1000)::float8 AS t FROM ispm_rollup_state WHERE level = $1',
    [CHUNK_LEVEL],
  );
  return res.rows[0] ? Number(res.rows[0].t) : undefined;
}

/** Moves the compaction watermark (or the given levels') forward to `until`, never backwards. */
export async function setChunkWatermark(
  db: Queryable,
  until: number,
  levels: readonly string[] = [CHUNK_LEVEL],
): Promise<void> {
  await db.query(
    `INSERT INTO ispm_rollup_state (level, done_until) SELECT unnest($1::text[]), $2::timestamptz
     ON CONFLICT (level) DO UPDATE SET done_until = GREATEST(ispm_rollup_state.done_until, excluded.done_until)`,
    [levels, iso(until)],
  );
}

export { appendSamples, mergeSamples } from './samples.js';

/** A time range: [from, to), or [from, to] when `toInclusive`. */
export interface SampleRange {
  from: number;
  to: number;
  toInclusive: boolean;
}

/**
 * The samples of `ids` in a range, from chunks and rows alike, merged in time order per series
 * (a chunk's sample wins over a row at the same time). Only chunks whose window overlaps the
 * range are read, through their primary key.
 */
export async function loadSamples(
  db: Queryable,
  ids: readonly number[],
  r: SampleRange,
): Promise<Map<number, ChunkSamples>> {
  const out = new Map<number, ChunkSamples>();
  if (ids.length === 0 || r.to < r.from) return out;
  const chunks = await db.query<{ series_id: number; s: number; data: Uint8Array }>(
    `SELECT series_id, (extract(epoch FROM start_ts) * 1000)::float8 AS s, data FROM ispm_chunks
      WHERE series_id = ANY($1::int[]) AND start_ts > $2::timestamptz AND start_ts <= $3::timestamptz
        AND last_ts >= $4::timestamptz
      ORDER BY series_id, start_ts`,
    [ids, iso(r.from - CHUNK_REACH_MS), iso(r.to), iso(r.from)],
  );
  const stored = chunks.rows.map((c) => ({
    series_id: Number(c.series_id),
    start: Number(c.s),
    data: c.data,
  }));
  // A series' chunks decoded into one set of arrays, then cut to the range (a slice is a copy
  // of memory; the range usually takes whole chunks but the first and last).
  for (const [id, s] of await decodeBySeries(db, stored)) out.set(id, within(s, r));
  const rows = await db.query<{ series_id: number; ts: number; value: number; raw: string | null }>(
    `SELECT series_id, (extract(epoch FROM ts) * 1000)::float8 AS ts, value, raw::text AS raw FROM ispm_samples
      WHERE series_id = ANY($1::int[]) AND ts >= $2::timestamptz
        AND (ts < $3::timestamptz OR ($4 AND ts = $3::timestamptz))
      ORDER BY series_id, ts`,
    [ids, iso(r.from), iso(r.to), r.toInclusive],
  );
  let id = -1;
  let hot: ChunkSamples | undefined;
  const flush = () => {
    if (!hot) return;
    const cold = out.get(id);
    out.set(id, cold ? mergeSamples(cold, hot) : hot);
  };
  for (const row of rows.rows) {
    const sid = Number(row.series_id);
    if (sid !== id) {
      flush();
      id = sid;
      hot = { ts: [], values: [], raws: [] };
    }
    hot?.ts.push(Number(row.ts));
    hot?.values.push(Number(row.value));
    hot?.raws.push(parseRaw(row.raw));
  }
  flush();
  return out;
}

/** The samples (sorted by time) inside the range: the same lists when all are, else slices. */
function within(s: ChunkSamples, r: SampleRange): ChunkSamples {
  const n = s.ts.length;
  const lo = firstIndex(s.ts, (t) => t >= r.from);
  const hi = firstIndex(s.ts, (t) => (r.toInclusive ? t > r.to : t >= r.to));
  if (lo === 0 && hi === n) return s;
  const end = Math.max(lo, hi);
  return { ts: s.ts.slice(lo, end), values: s.values.slice(lo, end), raws: s.raws.slice(lo, end) };
}

/** The first index whose time passes `test` (monotonic over sorted times), or the length. */
function firstIndex(ts: readonly number[], test: (t: number) => boolean): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(ts[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
