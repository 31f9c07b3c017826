/**
 * How a router page turns a gauge reported per pool, CPU or sensor into the one figure a tile or
 * a chart shows. Memory is reported per pool (Cisco's processor and I/O pools, a RouterOS RAM
 * pool, hrStorage RAM): the figure is the **sum over pools**, so that "used of total" is the
 * router's whole memory and the tile and the chart show the same quantity. CPU load and
 * temperature are a **maximum** (the busiest CPU, the hottest sensor): a sum means nothing there.
 */
import type { Labels, SeriesData } from '@ispmonitor/core';

/** How the series of one gauge are combined into one figure. */
export type Combine = 'sum' | 'max';

/** Combines the values of one gauge's series at one instant. */
export function combine(values: Iterable<number>, how: Combine): number | undefined {
  let out: number | undefined;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    out = out === undefined ? v : how === 'sum' ? out + v : Math.max(out, v);
  }
  return out;
}

/**
 * One series whose point at each step is the sum of the series' points at that step (a step
 * where a pool has no point sums the pools that have one). Empty for no series; the labels are
 * the `labels` given (the pool label is gone: the figure is every pool's).
 */
export function sumPerStep(series: readonly SeriesData[], labels: Labels): SeriesData[] {
  if (series.length === 0) return [];
  if (series.length === 1) return [{ labels, points: (series[0] as SeriesData).points }];
  const byTs = new Map<number, number>();
  for (const s of series)
    for (const [ts, v] of s.points) {
      if (!Number.isFinite(v)) continue;
      byTs.set(ts, (byTs.get(ts) ?? 0) + v);
    }
  const points = [...byTs].sort((a, b) => a[0] - b[0]) as Array<[number, number]>;
  return [{ labels, points }];
}

/** A series' identity within one device's gauge: its labels other than `device`, in order. */
export function seriesKey(labels: Labels | undefined): string {
  if (!labels) return '';
  let key = '';
  for (const k of Object.keys(labels).sort()) if (k !== 'device') key += `${k}=${labels[k]}\u0000`;
  return key;
}
