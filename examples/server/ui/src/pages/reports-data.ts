/**
 * The availability report's data: the API's shapes, the period choices, the page's URL state and
 * sorting. DOM-free (unit-tested in Node).
 */
// The report's figures are the server's own types, imported as types only (no server code in the bundle).
import type { Coverage, Outage } from '../../../src/reports/availability.js';
import type { RouterReport } from '../../../src/reports/data.js';
import type { SiteReport } from '../../../src/reports/report.js';
import { ROUTER_SORTS, type RouterSort } from '../../../src/reports/sorts.js';
import { api, qs } from '../lib/api.js';
import { sortBy } from '../lib/series.js';

export type { StatusTimes } from '../../../src/reports/availability.js';
export type { RouterSort };

/** Figures shared by a router's, a site's and the fleet's line. */
export type Covered = Coverage;

/** One router's line of the report (`outages` is a count here; the period is the report's). */
export type ReportRouter = Omit<RouterReport, 'outages' | 'from' | 'to'> & { outages: number };

/** One site's line (`site` null: routers without a site label). */
export type ReportSite = SiteReport;

/** The report over a period. */
export interface AvailabilityReport {
  from: number;
  to: number;
  generatedAt: number;
  total: ReportSite;
  sites: ReportSite[];
  /** One page of routers (sorted and filtered by the server), of `routersTotal`. */
  routers: ReportRouter[];
  routersTotal: number;
  offset: number;
}

/** Routers per page of the report: the worst hundred of 10,000 is what an operator reads. */
export const ROUTERS_PAGE = 100;

/** One outage of a router. */
export type ReportOutage = Outage;

/** A router's drill-down. */
export interface RouterDrillDown {
  from: number;
  to: number;
  router: Omit<ReportRouter, 'outages'> & { outages: ReportOutage[] };
}

/** The periods offered; the first part of each is the API's `from`. */
export const PERIODS = [
  { value: '24h', label: '24 h' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
] as const;
export const DEFAULT_PERIOD = '30d';

/** Sortable columns of the sites' table (the routers' are the server's `RouterSort`). */
export type SiteSort = 'site' | 'routers' | 'covered' | 'availability' | 'downtime' | 'outages';

/** The page's state, all of it in the URL (a report can be pasted into a ticket). */
export interface ReportState {
  period: string;
  router?: string;
  site?: string;
  sort: RouterSort;
  desc: boolean;
  siteSort: SiteSort;
  siteDesc: boolean;
  /** Page of the router table, from 1. */
  page: number;
}

const SITE_SORTS: readonly SiteSort[] = ['site', 'routers', 'covered', 'availability', 'downtime', 'outages'];

/** Reads the state from the query string; anything unknown falls back to the default. */
export function readState(q: URLSearchParams): ReportState {
  const period = PERIODS.some((p) => p.value === q.get('period'))
    ? (q.get('period') as string)
    : DEFAULT_PERIOD;
  const sort = q.get('sort') as RouterSort;
  const siteSort = q.get('ssort') as SiteSort;
  return {
    period,
    router: q.get('router') || undefined,
    site: q.has('site') ? (q.get('site') ?? '') : undefined,
    // Worst first by default: the routers an operator has to explain.
    sort: ROUTER_SORTS.includes(sort) ? sort : 'availability',
    desc: q.has('sort') ? q.get('desc') === '1' : false,
    siteSort: SITE_SORTS.includes(siteSort) ? siteSort : 'availability',
    siteDesc: q.has('ssort') ? q.get('sdesc') === '1' : false,
    page: Math.max(1, Math.min(100_000, Math.floor(Number(q.get('page'))) || 1)),
  };
}

/** The query string of a state (defaults left out; `site=` empty means routers without a site). */
export function stateQuery(s: ReportState): string {
  const u = new URLSearchParams();
  if (s.period !== DEFAULT_PERIOD) u.set('period', s.period);
  if (s.router) u.set('router', s.router);
  if (s.site !== undefined) u.set('site', s.site);
  if (s.sort !== 'availability' || s.desc) u.set('sort', s.sort);
  if (s.desc) u.set('desc', '1');
  if (s.siteSort !== 'availability' || s.siteDesc) u.set('ssort', s.siteSort);
  if (s.siteDesc) u.set('sdesc', '1');
  if (s.page > 1) u.set('page', String(s.page));
  const q = u.toString();
  return q ? `?${q}` : '';
}

const STATUS_RANK: Record<string, number> = { offline: 0, unreachable: 1, unknown: 2, online: 3 };

/** Routers sorted by a column; rows with nothing covered sort last either way. */
export function sortRouters(rows: ReportRouter[], by: RouterSort, desc: boolean): ReportRouter[] {
  const key: Record<RouterSort, (r: ReportRouter) => unknown> = {
    name: (r) => r.name.toLowerCase(),
    site: (r) => r.site?.toLowerCase(),
    status: (r) => STATUS_RANK[r.status] ?? 2,
    covered: (r) => r.coveredMs,
    availability: (r) => r.availability,
    downtime: (r) => r.downtimeMs,
    outages: (r) => r.outages,
  };
  return sortBy(rows, key[by], desc ? 'desc' : 'asc');
}

/** Sites sorted by a column. */
export function sortSites(rows: ReportSite[], by: SiteSort, desc: boolean): ReportSite[] {
  const key: Record<SiteSort, (r: ReportSite) => unknown> = {
    site: (r) => r.site?.toLowerCase(),
    routers: (r) => r.routers,
    covered: (r) => r.coveredMs,
    availability: (r) => r.availability,
    downtime: (r) => r.downtimeMs,
    outages: (r) => r.outages,
  };
  return sortBy(rows, key[by], desc ? 'desc' : 'asc');
}

/**
 * An availability with enough digits to tell 99.95 % from 100 %: three decimals from 99 %, two
 * from 10 %, cut (never rounded) so a figure never reads better than it is.
 */
export function formatAvailability(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '–';
  if (ratio >= 1) return '100%';
  const p = ratio * 100;
  const digits = p >= 99 ? 3 : p >= 10 ? 2 : 1;
  const scale = 10 ** digits;
  return `${(Math.floor(p * scale) / scale).toFixed(digits)}%`;
}

/** How much of the period a line covers, 0..1 (a site: of its routers' combined time). */
export function coverageShare(c: Covered, period: number, routers = 1): number {
  return period > 0 && routers > 0 ? Math.min(1, c.coveredMs / (period * routers)) : 0;
}

const periodQuery = (period: string) => ({ from: `-${period}`, to: 'now' });

/**
 * The report for the state's period: every site and the fleet's totals, and one page of routers
 * sorted by the server (a site's only when the state names one).
 */
export function loadReport(state: ReportState, signal: AbortSignal): Promise<AvailabilityReport> {
  return api<AvailabilityReport>(
    `/api/v1/reports/availability${qs({
      ...periodQuery(state.period),
      site: state.site,
      sort: state.sort,
      desc: state.desc || undefined,
      offset: (state.page - 1) * ROUTERS_PAGE || undefined,
      limit: ROUTERS_PAGE,
    })}`,
    { signal },
  );
}

/** One router's drill-down. */
export function loadRouterReport(id: string, period: string, signal: AbortSignal): Promise<RouterDrillDown> {
  return api<RouterDrillDown>(
    `/api/v1/reports/availability/routers/${encodeURIComponent(id)}${qs(periodQuery(period))}`,
    { signal },
  );
}

/** Links of the CSV downloads. */
export function csvLinks(period: string, router?: string) {
  const q = periodQuery(period);
  return {
    routers: `/api/v1/reports/availability.csv${qs({ ...q, by: 'router' })}`,
    sites: `/api/v1/reports/availability.csv${qs({ ...q, by: 'site' })}`,
    outages: `/api/v1/reports/outages.csv${qs({ ...q, router })}`,
  };
}
