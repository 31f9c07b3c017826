import { stat, statusBadge, table } from '../components/ui.js';
import { ApiError } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatDuration, formatTime } from '../lib/format.js';
import { setTitle } from '../lib/nav.js';
import {
  coverageShare,
  csvLinks,
  loadRouterReport,
  type ReportOutage,
  type ReportState,
  type RouterDrillDown,
  stateQuery,
} from './reports-data.js';
import { reportHead, reportToolbar } from './reports-parts.js';

const CAUSE: Record<ReportOutage['cause'], string> = { down: 'Down', unreachable: 'Unreachable' };

/** When an outage began: its real start when it began before the period. */
function startCell(o: ReportOutage) {
  if (!o.startedBefore) return formatTime(o.start);
  return [
    o.since === null ? 'before ' : `${formatTime(o.since)} `,
    h('span', { class: 'muted' }, o.since === null ? formatTime(o.start) : '(before the period)'),
  ];
}

/** `/reports?router=<id>`: one router's availability over the period and its outages. */
export function routerReport(root: HTMLElement, state: ReportState, abort: AbortController): () => void {
  const id = state.router as string;
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  mount(root, status);
  setTitle(`Availability · ${id}`);
  const draw = (d: RouterDrillDown) => {
    const r = d.router;
    const period = d.to - d.from;
    const links = csvLinks(state.period, id);
    setTitle(`Availability · ${r.name}`);
    mount(
      root,
      h(
        'p',
        { class: 'report-back' },
        h('a', { href: `/reports${stateQuery({ ...state, router: undefined })}` }, '← All routers'),
        ' · ',
        h(
          'a',
          { href: `/routers/${encodeURIComponent(r.id)}`, 'data-testid': 'router-page-link' },
          'Router page',
        ),
      ),
      reportToolbar(state, [['Outages', links.outages]]),
      ...reportHead(
        d,
        { ...r, outages: r.outages.length },
        {
          availability:
            r.coveredMs > 0
              ? `over ${formatDuration(r.coveredMs / 1000)} covered`
              : 'no status known in the period',
          covered: r.coveredFrom === null ? 'never seen in the period' : `since ${formatTime(r.coveredFrom)}`,
          share: coverageShare(r, period),
        },
        [stat('Now', statusBadge(r.status), { sub: r.site ? `site ${r.site}` : 'no site label', id: 'now' })],
      ),
      h(
        'section',
        { class: 'card report-card', 'data-testid': 'report-outages' },
        h('header', null, h('h2', null, 'Outages')),
        table(
          [...r.outages].sort((a, b) => b.start - a.start),
          [
            { title: 'Start', cell: startCell, nowrap: true },
            {
              title: 'End',
              cell: (o) =>
                o.end === null ? h('span', { class: 'badge bad' }, 'ongoing') : formatTime(o.end),
              nowrap: true,
            },
            { title: 'Duration', cell: (o) => formatDuration(o.durationMs / 1000), num: true },
            {
              title: 'Cause',
              cell: (o) =>
                h(
                  'span',
                  { class: `badge ${o.cause === 'down' ? 'offline' : 'unreachable'}` },
                  CAUSE[o.cause],
                ),
            },
            { title: 'Reason', cell: (o) => o.reason ?? h('span', { class: 'muted' }, 'not recorded') },
          ],
          'No outage in this period.',
        ),
      ),
    );
  };
  loadRouterReport(id, state.period, abort.signal)
    .then(draw)
    .catch((err: unknown) => {
      if ((err as Error).name === 'AbortError') return;
      status.className = 'error-msg';
      status.textContent =
        err instanceof ApiError && err.status === 404
          ? `There is no router "${id}".`
          : err instanceof ApiError && err.status === 501
            ? 'No availability report: this server keeps no status history (no storage plugin).'
            : `The report could not be loaded: ${(err as Error).message}`;
    });
  return () => abort.abort();
}
