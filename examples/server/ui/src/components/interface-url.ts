// The router page's view in its URL, so a view pasted into a ticket reopens identically:
// `?range=24h&from=…&to=…&if=ether1&if=ether2&sort=inBps.desc`. No DOM here (unit-tested in Node).

import { RANGES, rangeFor } from '../lib/ranges.js';

/** Sort of the interface table: a column key and a direction. */
export interface TableSort {
  key: string;
  dir: 'asc' | 'desc';
}

/** Everything a router page view is made of. */
export interface RouterView {
  /** Preset range (`1h` … `30d`). */
  range: string;
  /** A zoomed window, epoch ms (both or neither): absolute, so it means the same tomorrow. */
  zoom?: [number, number];
  /** Interfaces charted, by ifName; undefined = the default choice (uplinks first). */
  ifs?: string[];
  sort?: TableSort;
}

const DEFAULT_RANGE = '24h';
/** Most interfaces a URL may chart (more would be a page nobody reads, and a huge request). */
export const MAX_CHARTED = 24;
const MS_RE = /^\d{10,15}$/;

/** Reads the view from a query string; anything malformed falls back to the default, never throws. */
export function parseView(query: URLSearchParams): RouterView {
  const r = query.get('range');
  const view: RouterView = { range: RANGES.some((x) => x.value === r) ? (r as string) : DEFAULT_RANGE };
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  if (MS_RE.test(from) && MS_RE.test(to) && Number(from) < Number(to)) view.zoom = [Number(from), Number(to)];
  if (query.has('if')) {
    const names = [...new Set(query.getAll('if').filter((n) => n.length > 0 && n.length <= 200))];
    view.ifs = names.slice(0, MAX_CHARTED);
  }
  const sort = /^([A-Za-z]{1,32})\.(asc|desc)$/.exec(query.get('sort') ?? '');
  if (sort) view.sort = { key: sort[1] as string, dir: sort[2] as 'asc' | 'desc' };
  return view;
}

/** What a view's charts show: its zoomed window when it has one, else its preset range. */
export function chartWindowOf(view: RouterView): {
  from: string | number;
  to?: number;
  step: string | number;
} {
  if (view.zoom) return { from: view.zoom[0], to: view.zoom[1], step: stepFor(view.zoom[1] - view.zoom[0]) };
  const range = rangeFor(view.range);
  return { from: range.from, step: range.step };
}

/**
 * The query string of a view (with its `?`, or '' for the default view). `if` appears once per
 * interface (names may hold commas); an empty `if=` says "nothing charted", unlike no `if` at all.
 */
export function viewQuery(view: RouterView): string {
  const q = new URLSearchParams();
  if (view.range !== DEFAULT_RANGE) q.set('range', view.range);
  if (view.zoom) {
    q.set('from', String(Math.round(view.zoom[0])));
    q.set('to', String(Math.round(view.zoom[1])));
  }
  if (view.ifs) {
    if (view.ifs.length === 0) q.append('if', '');
    for (const n of view.ifs) q.append('if', n);
  }
  if (view.sort) q.set('sort', `${view.sort.key}.${view.sort.dir}`);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Steps a zoomed window may use, shortest first. */
const STEPS_MS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 86_400].map((s) => s * 1000);

/**
 * The step for a zoomed window: the shortest that keeps a chart under 400 points, so zooming in
 * shows finer detail rather than the same coarse steps stretched.
 */
export function stepFor(widthMs: number, minStepMs = 10_000): number {
  for (const s of STEPS_MS) if (s >= minStepMs && widthMs / s <= 400) return s;
  return STEPS_MS.at(-1) as number;
}

/** Human text of a step for the stats line ("5m averages"). */
export function stepLabel(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/**
 * The interfaces to chart when the URL names none: the uplinks first (even when down: a down
 * uplink is what the engineer came to see), then the busiest running ports, `max` in all.
 */
export function defaultCharted(
  rows: ReadonlyArray<{
    name: string;
    uplink: boolean;
    state: string;
    inBps: number | null;
    outBps: number | null;
  }>,
  max = 4,
): string[] {
  const up = rows.filter((r) => r.uplink).map((r) => r.name);
  const rest = rows
    .filter((r) => !r.uplink && r.state === 'up')
    .map((r) => ({ name: r.name, bps: Math.max(r.inBps ?? 0, r.outBps ?? 0) }))
    .sort((a, b) => b.bps - a.bps)
    .map((r) => r.name);
  return [...up, ...rest].slice(0, Math.max(max, up.length));
}
