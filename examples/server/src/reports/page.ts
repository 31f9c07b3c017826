/**
 * One page of the report's routers, sorted on the server: at 10,000 routers the page asks for the
 * worst hundred, not for every router (the totals and the sites are still the whole fleet's).
 */
import type { RouterReport } from './data.js';
import type { AvailabilityReport } from './report.js';
import type { RouterSort } from './sorts.js';

/** Most routers one page answers. */
export const MAX_LIMIT = 1000;

/** Names compare as the page's tables do: numbers in names by value (acc-2 before acc-10), case aside. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const text = (a: string, b: string) => collator.compare(a, b);

const STATUS_RANK: Record<string, number> = { offline: 0, unreachable: 1, unknown: 2, online: 3 };

const KEYS: Record<RouterSort, (r: RouterReport) => string | number | null | undefined> = {
  name: (r) => r.name,
  site: (r) => r.site,
  status: (r) => STATUS_RANK[r.status] ?? 2,
  covered: (r) => r.coveredMs,
  availability: (r) => r.availability,
  downtime: (r) => r.downtimeMs,
  outages: (r) => r.outages.length,
};

/**
 * Routers sorted by a column, ties by name; a router with no value (nothing covered) sorts last
 * in either direction — "worst first" never starts with routers nobody has seen yet.
 */
export function sortRouters(rows: readonly RouterReport[], by: RouterSort, desc: boolean): RouterReport[] {
  const key = KEYS[by];
  const sign = desc ? -1 : 1;
  const keyed = rows.map((row) => ({ row, k: key(row) }));
  keyed.sort((x, y) => {
    const missX = x.k === undefined || x.k === null;
    const missY = y.k === undefined || y.k === null;
    if (missX || missY) {
      if (missX !== missY) return missX ? 1 : -1;
    } else if (typeof x.k === 'number' && typeof y.k === 'number') {
      if (x.k !== y.k) return sign * (x.k - y.k);
    } else {
      const c = text(String(x.k), String(y.k));
      if (c !== 0) return sign * c;
    }
    return text(x.row.name, y.row.name);
  });
  return keyed.map((x) => x.row);
}

/** Sorted orders of one report, kept with it (a sort of 10,000 routers is done once per period). */
const sorted = new WeakMap<AvailabilityReport, Map<string, RouterReport[]>>();

/** The report's routers in this order (from the report's memo when asked before). */
export function sortedRouters(report: AvailabilityReport, by: RouterSort, desc: boolean): RouterReport[] {
  let memo = sorted.get(report);
  if (!memo) {
    memo = new Map();
    sorted.set(report, memo);
  }
  const key = `${by}|${desc}`;
  let rows = memo.get(key);
  if (!rows) {
    rows = sortRouters(report.routers, by, desc);
    memo.set(key, rows);
  }
  return rows;
}
