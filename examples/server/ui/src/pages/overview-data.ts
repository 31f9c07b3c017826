import { api, optional, qs } from '../lib/api.js';
import { type Point, sumSeries } from '../lib/series.js';
import type { RangeResult } from '../lib/types.js';

/** Most routers whose PPPoE series the overview sums when the server has no fleet sum. */
const MAX_PPPOE_ROUTERS = 40;

/**
 * The fleet's PPPoE sessions: the server's fleet sum when it has one, otherwise the sum over the
 * routers that report PPPoE (at most 40; the chart's note says how many were summed).
 */
export async function loadPppoe(
  from: string,
  step: string,
  signal: AbortSignal,
): Promise<{ points: Point[]; note: string }> {
  try {
    const fleet = await optional<{ points: Point[] }>(
      `/api/v1/metrics/fleet${qs({ metric: 'pppoe_sessions_active', from, step, fn: 'avg' })}`,
      signal,
    );
    if (fleet) return { points: fleet.points, note: 'all routers' };
    // Which routers have PPPoE at all (one request), then their series: a network of 10,000
    // routers where 40 terminate PPPoE costs 40 range queries, not 10,000.
    const latest = await optional<{ items: Array<{ device?: string }> }>(
      `/api/v1/metrics/latest${qs({ metric: 'pppoe_sessions_active' })}`,
      signal,
    );
    const all = [
      ...new Set((latest?.items ?? []).map((i) => i.device).filter((d): d is string => Boolean(d))),
    ];
    const ids = all.slice(0, MAX_PPPOE_ROUTERS);
    const results = await Promise.all(
      ids.map((id) =>
        api<RangeResult>(
          `/api/v1/metrics/routers/${encodeURIComponent(id)}${qs({ metric: 'pppoe_sessions_active', from, step, fn: 'avg' })}`,
          { signal },
        ).catch(() => undefined),
      ),
    );
    const series = results.flatMap((r) => r?.series ?? []);
    const note =
      all.length > ids.length
        ? `sum of ${ids.length} of ${all.length} PPPoE routers`
        : `${all.length} PPPoE routers`;
    return { points: sumSeries(series), note };
  } catch {
    return { points: [], note: 'not available' };
  }
}

/** One busy link: total bits/s, and utilisation when the server knows the speed. */
export interface BusyLink {
  device: string;
  ifName: string;
  totalBps: number;
  utilisation?: number;
}

/**
 * The busiest links over 5 minutes, from `/metrics/top` (the server has no `/metrics/traffic`:
 * asking for it cost a 404 and a console error on every load).
 */
export async function loadBusiest(signal: AbortSignal): Promise<BusyLink[] | undefined> {
  const top = await optional<{
    items: Array<{ device: string | null; ifName?: string | null; value: number; utilisation?: number }>;
  }>('/api/v1/metrics/top?kind=interfaces&window=5m&limit=10', signal);
  return top?.items
    .filter((r) => r.device)
    .map((r) => ({
      device: r.device as string,
      ifName: r.ifName ?? '?',
      totalBps: Number(r.value),
      ...(typeof r.utilisation === 'number' ? { utilisation: r.utilisation } : {}),
    }));
}

/**
 * The share of routers up, as the overview states it: of every router in the inventory, whatever
 * its state (unreachable, down and unknown all count against it). Rounded down, so it never says
 * 100 % while one router of thousands is not up.
 */
export function upShare(counts: Partial<Record<'online' | 'unreachable' | 'offline' | 'unknown', number>>): {
  ratio: number | undefined;
  text: string;
} {
  const up = counts.online ?? 0;
  const total = up + (counts.unreachable ?? 0) + (counts.offline ?? 0) + (counts.unknown ?? 0);
  if (total === 0) return { ratio: undefined, text: '–' };
  const ratio = up / total;
  if (up === total) return { ratio, text: '100%' };
  // One decimal, floored: 499 of 500 is 99.8 %, 9,999 of 10,000 is 99.9 %, never "100 %".
  const tenths = Math.floor((up * 1000) / total) / 10;
  return { ratio, text: `${tenths.toFixed(1).replace(/\.0$/, '')}%` };
}
