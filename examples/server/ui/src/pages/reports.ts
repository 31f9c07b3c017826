import '../styles/reports.css';
import { statusBadge } from '../components/ui.js';
import { ApiError } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatCount, formatDuration } from '../lib/format.js';
import type { Page } from '../lib/nav.js';
import {
  type AvailabilityReport,
  coverageShare,
  csvLinks,
  loadReport,
  type ReportRouter,
  type ReportSite,
  type ReportState,
  ROUTERS_PAGE,
  type RouterSort,
  readState,
  type SiteSort,
  sortSites,
  stateQuery,
} from './reports-data.js';
import { availabilityCell, coveredCell, reportHead, reportToolbar } from './reports-parts.js';
import { routerReport } from './reports-router.js';
import { reportTable } from './reports-table.js';

/**
 * `/reports`: availability per site and per router over a period (default 30 days), each with the
 * time it actually covers; `?router=<id>` drills down to one router's outages. Everything the
 * page shows is in its URL: period, router, site, and the sort of both tables.
 */
export const reportsPage: Page = (root, _params, query) => {
  const abort = new AbortController();
  const state = readState(query);
  if (state.router) return routerReport(root, state, abort);

  const status = h('p', { class: 'muted', role: 'status' }, 'Loading the report…');
  mount(root, reportToolbar(state, []), status);
  let report: AvailabilityReport | undefined;

  // Sorting rewrites the URL in place (no new history entry). Sites sort here (a few dozen);
  // routers are sorted and paged by the server, so their order or page asks it again.
  const setState = (next: ReportState) => {
    const refetch = next.sort !== state.sort || next.desc !== state.desc || next.page !== state.page;
    Object.assign(state, next);
    history.replaceState(null, '', `/reports${stateQuery(state)}`);
    if (refetch) load();
    else if (report) draw(report);
  };

  const draw = (r: AvailabilityReport) => {
    const period = r.to - r.from;
    const links = csvLinks(state.period);
    const siteTable = reportTable<ReportSite, SiteSort>({
      label: 'Availability per site',
      testid: 'report-sites',
      rows: sortSites(r.sites, state.siteSort, state.siteDesc),
      sort: state.siteSort,
      desc: state.siteDesc,
      onSort: (siteSort, siteDesc) => setState({ ...state, siteSort, siteDesc }),
      empty: 'No routers.',
      columns: [
        {
          id: 'site',
          title: 'Site',
          cell: (s) =>
            h(
              'a',
              { href: `/reports${stateQuery({ ...state, site: s.site ?? '' })}` },
              s.site ?? h('span', { class: 'muted' }, '(no site)'),
            ),
        },
        { id: 'routers', title: 'Routers', num: true, cell: (s) => formatCount(s.routers) },
        {
          id: 'availability',
          title: 'Availability',
          num: true,
          cell: (s) => availabilityCell(s.availability),
        },
        { id: 'covered', title: 'Covered', cell: (s) => coveredCell(s, period, s.routers) },
        { id: 'downtime', title: 'Downtime', num: true, cell: (s) => formatDuration(s.downtimeMs / 1000) },
        { id: 'outages', title: 'Outages', num: true, cell: (s) => formatCount(s.outages) },
      ],
    });
    const routerTable = reportTable<ReportRouter, RouterSort>({
      label: 'Availability per router',
      testid: 'report-routers',
      rows: r.routers,
      sort: state.sort,
      desc: state.desc,
      onSort: (sort, desc) => setState({ ...state, sort, desc, page: 1 }),
      empty: 'No routers here.',
      columns: [
        {
          id: 'name',
          title: 'Router',
          cell: (x) =>
            h(
              'a',
              { href: `/reports${stateQuery({ ...state, router: x.id, site: undefined })}`, class: 'strong' },
              x.name,
            ),
        },
        { id: 'site', title: 'Site', cell: (x) => x.site ?? '' },
        { id: 'status', title: 'Now', cell: (x) => statusBadge(x.status) },
        {
          id: 'availability',
          title: 'Availability',
          num: true,
          cell: (x) => availabilityCell(x.availability),
        },
        { id: 'covered', title: 'Covered', cell: (x) => coveredCell(x, period) },
        { id: 'downtime', title: 'Downtime', num: true, cell: (x) => formatDuration(x.downtimeMs / 1000) },
        { id: 'outages', title: 'Outages', num: true, cell: (x) => formatCount(x.outages) },
      ],
    });
    const t = r.total;
    mount(
      root,
      reportToolbar(state, [
        ['Routers', links.routers],
        ['Sites', links.sites],
        ['Outages', links.outages],
      ]),
      ...reportHead(r, t, {
        availability: 'over covered time',
        covered: `${formatCount(t.coveredRouters)} of ${formatCount(t.routers)} routers seen in the period`,
        share: coverageShare(t, period, t.routers),
      }),
      h('section', { class: 'card report-card' }, h('header', null, h('h2', null, 'Sites')), siteTable),
      h(
        'section',
        { class: 'card report-card' },
        h(
          'header',
          null,
          h('h2', null, state.site === undefined ? 'Routers' : `Routers of ${state.site || '(no site)'}`),
          state.site === undefined
            ? null
            : h('a', { href: `/reports${stateQuery({ ...state, site: undefined })}` }, 'All routers'),
        ),
        routerTable,
        pager(r),
      ),
    );
  };

  /** "Routers 101–200 of 10,000" with the previous and next page, when there is more than one. */
  const pager = (r: AvailabilityReport) => {
    if (r.routersTotal <= ROUTERS_PAGE && state.page === 1) return null;
    const first = r.offset + 1;
    const last = r.offset + r.routers.length;
    const go = (page: number) => () => setState({ ...state, page });
    return h(
      'div',
      { class: 'toolbar report-pager', 'data-testid': 'report-pager' },
      h(
        'span',
        { class: 'muted' },
        `Routers ${formatCount(Math.min(first, last))}–${formatCount(last)} of ${formatCount(r.routersTotal)}`,
      ),
      h('span', { class: 'grow' }),
      h(
        'button',
        { type: 'button', class: 'btn small', disabled: state.page <= 1, onclick: go(state.page - 1) },
        '‹ Previous',
      ),
      h(
        'button',
        { type: 'button', class: 'btn small', disabled: last >= r.routersTotal, onclick: go(state.page + 1) },
        'Next ›',
      ),
    );
  };

  let inflight: AbortController | undefined;
  const load = () => {
    inflight?.abort();
    const mine = new AbortController();
    inflight = mine;
    abort.signal.addEventListener('abort', () => mine.abort(), { once: true });
    loadReport(state, mine.signal)
      .then((r) => {
        report = r;
        draw(r);
      })
      .catch((err: unknown) => {
        if ((err as Error).name === 'AbortError') return;
        status.className = 'error-msg';
        status.textContent =
          err instanceof ApiError && err.status === 501
            ? 'No availability report: this server keeps no status history (no storage plugin).'
            : `The report could not be loaded: ${(err as Error).message}`;
        if (!report) return;
        mount(root, status);
      });
  };
  load();
  return () => abort.abort();
};
