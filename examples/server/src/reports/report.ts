/**
 * The availability report: every router's and every site's availability over a period, built
 * from the stored status history and kept for a few seconds, so a page and its CSV download (or
 * a sort, or a second operator) do not read the history again.
 */
import type { DeviceState } from '@ispmonitor/core';
import type { PostgresStore } from '@ispmonitor/plugin-postgres';
import { type GroupAvailability, groupAvailability } from './availability.js';
import { type RouterReport, readRouterReports } from './data.js';

/** A site's line of the report. `site` is null for routers without a `site` label. */
export interface SiteReport extends GroupAvailability {
  site: string | null;
}

/** The whole report over one period. */
export interface AvailabilityReport {
  from: number;
  to: number;
  generatedAt: number;
  routers: RouterReport[];
  sites: SiteReport[];
  total: GroupAvailability;
}

/** How long a report is reused for the same period text. */
const TTL_MS = 15_000;
/** Periods kept at once (each holds every router's outages). */
const MAX_CACHED = 8;

/** Groups routers by their `site` label, sites by name, routers without a site last. */
export function siteReports(routers: readonly RouterReport[]): SiteReport[] {
  const bySite = new Map<string | null, RouterReport[]>();
  for (const r of routers) {
    const list = bySite.get(r.site);
    if (list) list.push(r);
    else bySite.set(r.site, [r]);
  }
  return [...bySite]
    .map(([site, list]) => ({ site, ...groupAvailability(list) }))
    .sort((a, b) => (a.site === null ? 1 : b.site === null ? -1 : a.site.localeCompare(b.site)));
}

/** Builds reports, reusing one for the same period text within a few seconds. */
export class ReportCache {
  #cache = new Map<string, { at: number; report: Promise<AvailabilityReport> }>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The report for [from, to) over `devices`. `key` names the period as the caller asked for it
   * (`-30d..now`): asking again within the TTL answers the same report, with its own from/to.
   */
  get(
    key: string,
    store: PostgresStore,
    devices: () => DeviceState[],
    from: number,
    to: number,
  ): Promise<AvailabilityReport> {
    const now = this.now();
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < TTL_MS) return hit.report;
    const report = build(store, devices(), from, to, now);
    // Deleted first so the map stays in age order (oldest first) for the eviction below.
    this.#cache.delete(key);
    this.#cache.set(key, { at: now, report });
    // A failed read is not kept: the next request tries again.
    report.catch(() => {
      if (this.#cache.get(key)?.report === report) this.#cache.delete(key);
    });
    for (const [k, v] of this.#cache) {
      if (k === key || (this.#cache.size <= MAX_CACHED && now - v.at < TTL_MS)) break;
      this.#cache.delete(k);
    }
    return report;
  }
}

async function build(
  store: PostgresStore,
  devices: DeviceState[],
  from: number,
  to: number,
  now: number,
): Promise<AvailabilityReport> {
  const routers = await readRouterReports(store, devices, from, to);
  routers.sort((a, b) => a.name.localeCompare(b.name));
  return {
    from,
    to,
    generatedAt: now,
    routers,
    sites: siteReports(routers),
    total: groupAvailability(routers),
  };
}
