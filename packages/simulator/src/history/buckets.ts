/**
 * 5-minute aggregates for the demo's history: the bucket grid (5-minute buckets for the last
 * `detailDays`, one per hour before), buckets of gauges and counters sampled from a model, of
 * `device_up` from outages, and of counts of subscriber spans (sessions, leases, clients).
 */
import type { HistoryBucket } from './types.js';

/** When a device was down (ms), and since when it runs (boots, ms). */
export interface Availability {
  outages: Array<{ from: number; to: number }>;
  boots: number[];
}

/** The bucket grid: start times and lengths (ms). */
export interface Grid {
  starts: number[];
  lengths: number[];
}

const FIVE_MIN = 300_000;
const HOUR = 3_600_000;
/** Polls per 5 minutes that the buckets claim (a 30 s interval). */
const PER_5M = 10;

/** 5-minute buckets over the last `detailDays`, hourly ones before, all ending at or before `now`. */
export function bucketGrid(from: number, now: number, detailDays: number): Grid {
  const end = Math.floor(now / FIVE_MIN) * FIVE_MIN;
  const fine = Math.max(from, Math.floor((end - detailDays * 86_400_000) / HOUR) * HOUR);
  const starts: number[] = [];
  const lengths: number[] = [];
  for (let t = Math.ceil(from / HOUR) * HOUR; t + HOUR <= fine; t += HOUR) {
    starts.push(t);
    lengths.push(HOUR);
  }
  for (let t = Math.ceil(fine / FIVE_MIN) * FIVE_MIN; t + FIVE_MIN <= end; t += FIVE_MIN) {
    starts.push(t);
    lengths.push(FIVE_MIN);
  }
  return { starts, lengths };
}

/** The boot a device was running on at `t`. */
export const bootAt = (a: Availability, t: number) => {
  let boot = Number.NEGATIVE_INFINITY;
  for (const b of a.boots) if (b <= t && b > boot) boot = b;
  return boot;
};
const downDuring = (a: Availability, from: number, to: number) =>
  a.outages.reduce((sum, o) => sum + Math.max(0, Math.min(to, o.to) - Math.max(from, o.from)), 0);

/** Buckets of a gauge sampled at three instants per bucket (none while the device is down). */
export function gauge(grid: Grid, a: Availability, value: (t: number) => number): HistoryBucket[] {
  return sampled(grid, a, value, false);
}

/** Buckets of a counter given its value at any instant (it restarts from 0 at each boot). */
export function counter(grid: Grid, a: Availability, value: (t: number) => number): HistoryBucket[] {
  return sampled(grid, a, value, true);
}

function sampled(
  grid: Grid,
  a: Availability,
  value: (t: number) => number,
  isCounter: boolean,
): HistoryBucket[] {
  const out: HistoryBucket[] = [];
  for (let i = 0; i < grid.starts.length; i++) {
    const start = grid.starts[i] as number;
    const len = grid.lengths[i] as number;
    const up = a.outages.length === 0 ? 1 : 1 - downDuring(a, start, start + len) / len;
    if (up <= 0) continue;
    const count = Math.max(1, Math.round((PER_5M * len * up) / FIVE_MIN));
    const v0 = value(start + (isCounter ? 0 : len * 0.2));
    const v1 = value(start + len * 0.55);
    const v2 = value(start + len * 0.95);
    const b: HistoryBucket = {
      ts: start,
      count,
      min: Math.min(v0, v1, v2),
      max: Math.max(v0, v1, v2),
      sum: ((v0 + v1 + v2) / 3) * count,
      last: v2,
    };
    // A boot inside the bucket: what was counted since it is the increase.
    if (isCounter) b.increase = v2 >= v0 ? v2 - v0 : v2;
    out.push(b);
  }
  return out;
}

/** A subscriber's time on a router, ms (`to` Infinity while it lasts). */
export type Span = readonly [from: number, to: number];

/** What a BNG's counting series count: sessions, live leases per server, clients per radio. */
export interface BngSpans {
  sessions: Span[];
  leases: Map<string, Span[]>;
  wireless: Map<string, Span[]>;
}

/**
 * How many spans cover each instant {@link gauge} samples, by a sweep (a difference array over
 * the sorted instants) rather than asking the model at each instant: thousands of sessions times
 * thousands of buckets would take seconds.
 */
export function countAt(grid: Grid, spans: readonly Span[]): (t: number) => number {
  const at: number[] = [];
  for (let i = 0; i < grid.starts.length; i++) {
    const start = grid.starts[i] as number;
    const len = grid.lengths[i] as number;
    at.push(start + len * 0.2, start + len * 0.55, start + len * 0.95);
  }
  const lower = (x: number) => {
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((at[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const diff = new Int32Array(at.length + 1);
  for (const [from, to] of spans) {
    const lo = lower(from);
    const hi = lower(to);
    diff[lo] = (diff[lo] as number) + 1;
    diff[hi] = (diff[hi] as number) - 1;
  }
  const counts = new Map<number, number>();
  let n = 0;
  at.forEach((t, i) => {
    n += diff[i] as number;
    counts.set(t, n);
  });
  return (t) => counts.get(t) ?? 0;
}

/** `device_up`: 1, with the outages' share of each bucket at 0. */
export function upBuckets(grid: Grid, a: Availability): HistoryBucket[] {
  return grid.starts.map((start, i) => {
    const len = grid.lengths[i] as number;
    const down = downDuring(a, start, start + len) / len;
    const count = Math.round((PER_5M * len) / FIVE_MIN);
    const endsUp = downDuring(a, start + len - 1, start + len) === 0;
    return {
      ts: start,
      count,
      min: down > 0 ? 0 : 1,
      max: down < 1 ? 1 : 0,
      sum: count * (1 - down),
      last: endsUp ? 1 : 0,
    };
  });
}
