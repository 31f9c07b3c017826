import type { Partial } from '../query/partials.js';
import type { ChunkSamples, Exact } from './codec.js';

/**
 * Aggregates computed in this process from decoded samples, exactly as the SQL over the row table
 * computes them (same counter-step rule, same order of additions), so the two layouts answer
 * alike: the chunk's own columns, the 5-minute and hourly rollup rows, and the per-step partials
 * of range queries.
 */

const TWO_31 = 2n ** 31n;
const TWO_32 = 2n ** 32n;
const TWO_64 = 2n ** 64n;
const N_TWO_31 = 2 ** 31;
const N_TWO_32 = 2 ** 32;
const FIVE_MIN = 300_000;
const HOUR = 3_600_000;

const u64 = (raw: bigint) => (raw < 0n ? raw + TWO_64 : raw);
const big = (x: Exact) => (typeof x === 'bigint' ? x : BigInt(x));

/**
 * The increase between two counter readings, never negative: `ispm_counter_delta` of the schema
 * (a drop is a 32-bit wrap when the previous reading fits in 32 bits and the wrapped step is
 * under 2^31, else a reset counted from zero), on exact integers when both readings have them.
 */
export function counterDelta(prevRaw: Exact | null, prev: number, curRaw: Exact | null, cur: number): number {
  if (prevRaw !== null && curRaw !== null) {
    // Safe integers (almost every counter): the same steps in doubles, all exact.
    if (typeof prevRaw === 'number' && typeof curRaw === 'number' && prevRaw >= 0 && curRaw >= 0) {
      if (curRaw >= prevRaw) return curRaw - prevRaw;
      if (prevRaw < N_TWO_32 && curRaw + N_TWO_32 - prevRaw < N_TWO_31) return curRaw + N_TWO_32 - prevRaw;
      return curRaw;
    }
    const pr = big(prevRaw);
    const cr = big(curRaw);
    if (pr >= 0n && cr >= 0n) {
      if (cr >= pr) return Number(cr - pr);
      if (pr < TWO_32 && cr + TWO_32 - pr < TWO_31) return Number(cr + TWO_32 - pr);
      return Number(cr);
    }
    const p = u64(pr);
    const c = u64(cr);
    return c >= p ? Number(c - p) : Number(c);
  }
  if (cur >= prev) return cur - prev;
  if (prev < N_TWO_32 && cur + N_TWO_32 - prev < N_TWO_31) return cur + N_TWO_32 - prev;
  return cur;
}

/** A chunk's plain columns. */
export interface ChunkSummary {
  count: number;
  firstTs: number;
  lastTs: number;
  min: number;
  max: number;
  sum: number;
  first: number;
  last: number;
  firstRaw: Exact | null;
  lastRaw: Exact | null;
  /** Counter increase inside the chunk (null for gauges and single readings). */
  increase: number | null;
}

/** The plain columns of a (non-empty) chunk. */
export function summarize(s: ChunkSamples, counter: boolean): ChunkSummary {
  const n = s.ts.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let increase: number | null = null;
  for (let i = 0; i < n; i++) {
    const v = s.values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (counter && i > 0)
      increase =
        (increase ?? 0) +
        counterDelta(s.raws[i - 1] ?? null, s.values[i - 1] as number, s.raws[i] ?? null, v);
  }
  return {
    count: n,
    firstTs: s.ts[0] as number,
    lastTs: s.ts[n - 1] as number,
    min,
    max,
    sum,
    first: s.values[0] as number,
    last: s.values[n - 1] as number,
    firstRaw: s.raws[0] ?? null,
    lastRaw: s.raws[n - 1] ?? null,
    increase,
  };
}

/** One rollup row (5-minute or hourly). */
export interface RollupRow {
  bucket: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  lastRaw: Exact | null;
  lastTs: number;
  increase: number | null;
}

/**
 * The 5-minute rollup rows of samples `i0 <= i < i1` of one series (sorted by time), appended to
 * `out`, as the SQL round computes them: the step into a bucket comes from the reading before it,
 * and into the first reading from the one before `i0` when `fromBefore` (the last reading before
 * the window, when it is within the hour). Indexes into the arrays as they are: no copy of a
 * window and no object per sample (a day's rollups spent most of their time collecting garbage).
 */
function rollup5mInto(
  out: RollupRow[],
  s: ChunkSamples,
  counter: boolean,
  i0: number,
  i1: number,
  fromBefore: boolean,
): void {
  const { ts, values, raws } = s;
  // A bucket's figures in locals, its row made once when the bucket ends: fields of a row
  // updated per sample held boxed doubles, a new one per update (most of a day's rollup time
  // went to collecting them).
  let bucket = Number.NaN;
  let count = 0;
  let min = 0;
  let max = 0;
  let sum = 0;
  let last = 0;
  let lastRaw: Exact | null = null;
  let lastTs = 0;
  let increase = 0;
  let hasIncrease = false;
  for (let i = i0; i < i1; i++) {
    const t = ts[i] as number;
    const v = values[i] as number;
    const raw = raws[i] ?? null;
    const b = Math.floor(t / FIVE_MIN) * FIVE_MIN;
    if (b !== bucket) {
      if (count > 0)
        out.push(row(bucket, count, min, max, sum, last, lastRaw, lastTs, hasIncrease ? increase : null));
      bucket = b;
      count = 0;
      min = v;
      max = v;
      sum = 0;
      increase = 0;
      hasIncrease = false;
    }
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    last = v;
    lastRaw = raw;
    lastTs = t;
    if (counter && (i > i0 || fromBefore)) {
      increase += counterDelta(raws[i - 1] ?? null, values[i - 1] as number, raw, v);
      hasIncrease = true;
    }
  }
  if (count > 0)
    out.push(row(bucket, count, min, max, sum, last, lastRaw, lastTs, hasIncrease ? increase : null));
}

/** A rollup row, always built with the same fields in the same order (one object shape). */
function row(
  bucket: number,
  count: number,
  min: number,
  max: number,
  sum: number,
  last: number,
  lastRaw: Exact | null,
  lastTs: number,
  increase: number | null,
): RollupRow {
  return { bucket, count, min, max, sum, last, lastRaw, lastTs, increase };
}

/**
 * The 5-minute rollup rows of samples spanning several windows of `windowMs` (aligned to the
 * epoch), as the rounds compute them window by window: inside a window a counter step bridges any
 * gap; into a window's first reading it comes from the reading before only when that is within
 * the hour. Rows of buckets before `from` are left out.
 */
export function rollup5mByWindow(
  s: ChunkSamples,
  counter: boolean,
  windowMs: number,
  from = Number.NEGATIVE_INFINITY,
): RollupRow[] {
  const out: RollupRow[] = [];
  const n = s.ts.length;
  let i = 0;
  while (i < n) {
    const w = Math.floor((s.ts[i] as number) / windowMs) * windowMs;
    let j = i;
    while (j < n && (s.ts[j] as number) < w + windowMs) j++;
    rollup5mInto(out, s, counter, i, j, i > 0 && (s.ts[i - 1] as number) >= w - HOUR);
    i = j;
  }
  if (from === Number.NEGATIVE_INFINITY || out.length === 0 || (out[0] as RollupRow).bucket >= from)
    return out;
  return out.filter((r) => r.bucket >= from);
}

/** Hourly rows from 5-minute rows (sorted by bucket), as the SQL round computes them. */
export function rollup1h(rows5m: readonly RollupRow[]): RollupRow[] {
  const out: RollupRow[] = [];
  const n = rows5m.length;
  let i = 0;
  while (i < n) {
    const first = rows5m[i] as RollupRow;
    const bucket = Math.floor(first.bucket / HOUR) * HOUR;
    let count = 0;
    let min = first.min;
    let max = first.max;
    let sum = 0;
    let increase = 0;
    let hasIncrease = false;
    let r = first;
    for (; i < n && Math.floor((rows5m[i] as RollupRow).bucket / HOUR) * HOUR === bucket; i++) {
      r = rows5m[i] as RollupRow;
      count += r.count;
      min = Math.min(min, r.min);
      max = Math.max(max, r.max);
      sum += r.sum;
      if (r.increase !== null) {
        increase += r.increase;
        hasIncrease = true;
      }
    }
    out.push(row(bucket, count, min, max, sum, r.last, r.lastRaw, r.lastTs, hasIncrease ? increase : null));
  }
  return out;
}

/**
 * Per-step partials of one series, as `readPartials` computes them from rows: readings in
 * [start, end) grouped by `floor((ts - origin) / step)`; the counter step into each reading comes
 * from the reading before it among those loaded (which start `lookback` earlier).
 */
export function partialsOf(
  s: ChunkSamples,
  origin: number,
  step: number,
  start: number,
  end: number,
  into: Map<number, Partial>,
): void {
  for (let i = 0; i < s.ts.length; i++) {
    const t = s.ts[i] as number;
    if (t < start || t >= end) continue;
    const v = s.values[i] as number;
    const b = Math.floor((t - origin) / step);
    let p = into.get(b);
    if (!p) {
      p = { count: 0, sum: 0, min: v, max: v, last: v, lastTs: t, increase: null };
      into.set(b, p);
    }
    p.count++;
    p.sum += v;
    if (v < p.min) p.min = v;
    if (v > p.max) p.max = v;
    if (t >= p.lastTs) {
      p.last = v;
      p.lastTs = t;
    }
    if (i > 0)
      p.increase =
        (p.increase ?? 0) +
        counterDelta(s.raws[i - 1] ?? null, s.values[i - 1] as number, s.raws[i] ?? null, v);
  }
}
