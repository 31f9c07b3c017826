// Time-series shaping for charts and tables. No DOM here (unit-tested in Node).

/** A point: epoch milliseconds and a value. */
export type Point = [number, number];

/**
 * Sums several series point by point on their timestamps (e.g. all interfaces of a router, or
 * one metric over many routers). A timestamp missing in one series simply adds nothing.
 */
export function sumSeries(series: Array<{ points: Point[] }>): Point[] {
  const acc = new Map<number, number>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) continue;
      acc.set(t, (acc.get(t) ?? 0) + v);
    }
  }
  return [...acc.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * uPlot's aligned data: one x array in **seconds** (uPlot's unit) and one y array per series,
 * `null` where a series has no point (a gap, drawn as a break, not as zero).
 */
export function align(series: Point[][], scale = 1): [number[], ...Array<Array<number | null>>] {
  const xs = new Set<number>();
  for (const s of series) for (const [t] of s) xs.add(t);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const y: Array<number | null> = new Array(x.length).fill(null);
    for (const [t, v] of s) y[index.get(t) as number] = Number.isFinite(v) ? v * scale : null;
    return y;
  });
  return [x.map((t) => t / 1000), ...ys];
}

/** The newest finite value of a series. */
export function lastValue(points: Point[] | undefined): number | undefined {
  if (!points) return undefined;
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i]?.[1];
    if (v !== undefined && Number.isFinite(v)) return v;
  }
  return undefined;
}

/**
 * Availability from `device_up` averaged per step (1 = every poll up, 0 = every poll down):
 * the mean over the steps that have data, and one class per step for the status strip.
 */
export function availability(points: Point[]): {
  ratio: number | undefined;
  buckets: Array<'ok' | 'part' | 'bad' | 'none'>;
} {
  let sum = 0;
  let n = 0;
  const buckets = points.map(([, v]) => {
    if (!Number.isFinite(v)) return 'none' as const;
    sum += v;
    n++;
    return v >= 0.999 ? ('ok' as const) : v <= 0.001 ? ('bad' as const) : ('part' as const);
  });
  return { ratio: n ? sum / n : undefined, buckets };
}

/** Groups `count` points into at most `max` buckets by averaging (for a strip of fixed width). */
export function downsample(points: Point[], max: number): Point[] {
  if (points.length <= max) return points;
  const size = points.length / max;
  const out: Point[] = [];
  for (let b = 0; b < max; b++) {
    const from = Math.floor(b * size);
    const to = Math.floor((b + 1) * size);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      const v = points[i]?.[1];
      if (v !== undefined && Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    out.push([points[from]?.[0] ?? 0, n ? sum / n : Number.NaN]);
  }
  return out;
}

/** Compares two cell values: numbers numerically, text naturally ("r2" before "r10"), missing last. */
export function compareValues(a: unknown, b: unknown): number {
  const missA = a === undefined || a === null || (typeof a === 'number' && Number.isNaN(a));
  const missB = b === undefined || b === null || (typeof b === 'number' && Number.isNaN(b));
  if (missA || missB) return missA === missB ? 0 : missA ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' });
}

/**
 * Sorts rows by a key, keeping missing values at the end in both directions (an operator sorting
 * by CPU wants the busiest routers first, not the ones without data).
 */
export function sortBy<T>(rows: T[], key: (row: T) => unknown, dir: 'asc' | 'desc'): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((row) => ({ row, k: key(row) }))
    .sort((x, y) => {
      const missX = x.k === undefined || x.k === null;
      const missY = y.k === undefined || y.k === null;
      if (missX || missY) return missX === missY ? 0 : missX ? 1 : -1;
      return sign * compareValues(x.k, y.k);
    })
    .map((x) => x.row);
}

/**
 * Nearest-rank percentile of the finite values: sorted ascending, the value at rank ⌈p·n⌉
 * (1-based). The method of burstable (95th percentile) billing: the 95th of 288 five-minute
 * samples is the 274th smallest, so the 14 busiest intervals are not counted. `p` in (0, 1].
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  const vals = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (vals.length === 0 || !(p > 0) || p > 1) return undefined;
  return vals[Math.ceil(p * vals.length) - 1];
}

/** Max, average and 95th percentile of a series, for a chart's legend. */
export interface RangeStats {
  max: number;
  avg: number;
  p95: number;
  /** How many values they come from. */
  count: number;
}

/**
 * Statistics of the points inside `window` (epoch ms, both ends included; all points without
 * one). Gaps are not zeros: a missing step counts for nothing, so an outage does not lower the
 * average or the 95th percentile of the traffic that was measured.
 */
export function rangeStats(
  points: readonly Point[],
  window?: readonly [number, number],
): RangeStats | undefined {
  const vals: number[] = [];
  for (const [t, v] of points) {
    if (window && (t < window[0] || t > window[1])) continue;
    if (Number.isFinite(v)) vals.push(v);
  }
  if (vals.length === 0) return undefined;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const v of vals) {
    if (v > max) max = v;
    sum += v;
  }
  return { max, avg: sum / vals.length, p95: percentile(vals, 0.95) as number, count: vals.length };
}
