import { api, optional, qs } from '../lib/api.js';
import { lastValue, type Point, sumSeries } from '../lib/series.js';
import type { LatestItem, Page, RangeResult, Router } from '../lib/types.js';

/** A router with the latest figures the table shows. */
export interface RouterRow extends Router {
  cpu?: number;
  memUsed?: number;
  memTotal?: number;
  uptime?: number;
  /** Traffic (in + out, bits/s) per step over the last hour, for the sparkline. */
  spark?: number[];
}

/**
 * Every router: the first page says how many there are, the rest are fetched in parallel
 * (1,000 per page, the API's maximum).
 */
export async function loadAllRouters(
  signal: AbortSignal,
  onFirst?: (rows: RouterRow[], total: number) => void,
): Promise<RouterRow[]> {
  const size = 1000;
  const first = await api<Page<Router>>(`/api/v1/routers${qs({ page: 1, pageSize: size })}`, { signal });
  const pages = Math.ceil(first.total / size);
  // The first page is on screen while the others load: a large network is usable at once.
  if (pages > 1) onFirst?.(first.items, first.total);
  const rest = await Promise.all(
    Array.from({ length: Math.max(0, pages - 1) }, (_, i) =>
      api<Page<Router>>(`/api/v1/routers${qs({ page: i + 2, pageSize: size })}`, { signal }),
    ),
  );
  return [first, ...rest].flatMap((p) => p.items);
}

/**
 * CPU, memory and uptime of all routers in one request per metric, when the server has
 * `/api/v1/metrics/latest`. Returns false when it does not (the page then fills visible rows).
 */
export async function loadLatest(rows: RouterRow[], signal: AbortSignal): Promise<boolean> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const metrics = [
    ['device_cpu_load_ratio', 'cpu'],
    ['device_memory_used_bytes', 'memUsed'],
    ['device_memory_total_bytes', 'memTotal'],
    ['device_uptime_seconds', 'uptime'],
  ] as const;
  const answers = await Promise.all(
    metrics.map(([m]) =>
      optional<{ items: LatestItem[] }>(`/api/v1/metrics/latest${qs({ metric: m })}`, signal).catch(
        () => undefined,
      ),
    ),
  );
  if (answers.every((a) => a === undefined)) return false;
  answers.forEach((a, i) => {
    const field = metrics[i]?.[1] as 'cpu' | 'memUsed' | 'memTotal' | 'uptime';
    if (!a) return;
    // A router with several CPUs reports one series each: show the busiest. Memory comes per
    // pool: the sum over pools, as the router page shows it. Collected apart first, so a refresh
    // replaces old figures instead of keeping their maximum.
    const sum = field === 'memUsed' || field === 'memTotal';
    const fresh = new Map<string, number>();
    for (const item of a.items) {
      const id = item.device ?? item.labels?.device ?? '';
      const v = Number(item.value);
      if (!Number.isFinite(v)) continue;
      const had = fresh.get(id);
      fresh.set(id, had === undefined ? v : sum ? had + v : Math.max(had, v));
    }
    for (const [id, v] of fresh) {
      const row = byId.get(id);
      if (row) row[field] = v;
    }
  });
  return true;
}

const metricRange = (
  id: string,
  metric: string,
  from: string,
  step: string,
  fn: string,
  signal: AbortSignal,
) =>
  api<RangeResult>(`/api/v1/metrics/routers/${encodeURIComponent(id)}${qs({ metric, from, step, fn })}`, {
    signal,
  });

/** The latest figures of one router from its time series (when there is no bulk endpoint). */
export async function loadRowFigures(row: RouterRow, signal: AbortSignal): Promise<void> {
  const get = (m: string) => metricRange(row.id, m, '-15m', '1m', 'last', signal).catch(() => undefined);
  const [cpu, used, total, uptime] = await Promise.all([
    get('device_cpu_load_ratio'),
    get('device_memory_used_bytes'),
    get('device_memory_total_bytes'),
    get('device_uptime_seconds'),
  ]);
  const lasts = (r: RangeResult | undefined) =>
    (r?.series ?? []).map((s) => lastValue(s.points)).filter((v): v is number => v !== undefined);
  const maxLast = (r: RangeResult | undefined) => {
    const vals = lasts(r);
    return vals.length ? Math.max(...vals) : undefined;
  };
  // Memory per pool: summed, as on the router page.
  const sumLast = (r: RangeResult | undefined) => {
    const vals = lasts(r);
    return vals.length ? vals.reduce((a, b) => a + b, 0) : undefined;
  };
  row.cpu = maxLast(cpu);
  row.memUsed = sumLast(used);
  row.memTotal = sumLast(total);
  row.uptime = maxLast(uptime);
}

/** Routers per sparkline request: the server's cap (`/api/v1/metrics/sparklines`). */
export const SPARKLINE_BATCH = 60;

/**
 * Traffic sparklines (in + out over the last hour) for the rows on screen: one request per 60
 * of them when the server has `/api/v1/metrics/sparklines`, else two per row.
 */
export async function loadSparklines(rows: RouterRow[], signal: AbortSignal): Promise<void> {
  if (rows.length === 0) return;
  // The server answers at most SPARKLINE_BATCH routers a request (a bigger one is refused).
  const batches: RouterRow[][] = [];
  for (let i = 0; i < rows.length; i += SPARKLINE_BATCH) batches.push(rows.slice(i, i + SPARKLINE_BATCH));
  const answers = await Promise.all(
    batches.map((batch) =>
      optional<{ items: Record<string, Point[]> }>(
        `/api/v1/metrics/sparklines${qs({ routers: batch.map((r) => r.id).join(','), from: '-1h', step: '2m' })}`,
        signal,
      ).catch(() => undefined),
    ),
  );
  if (answers.every((a) => a !== undefined)) {
    for (const [i, batch] of batches.entries())
      for (const r of batch) r.spark = (answers[i]?.items[r.id] ?? []).map((p) => p[1]);
    return;
  }
  // A few at a time: a screen of rows must not flood a busy server with range queries.
  await mapLimit(rows, 4, async (r) => {
    const [inb, outb] = await Promise.all(
      ['interface_in_octets_total', 'interface_out_octets_total'].map((m) =>
        metricRange(r.id, m, '-1h', '2m', 'rate', signal).catch(() => undefined),
      ),
    );
    const total = sumSeries([...(inb?.series ?? []), ...(outb?.series ?? [])]);
    // Octets per second → bits per second.
    r.spark = total.map((p) => p[1] * 8);
  });
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
