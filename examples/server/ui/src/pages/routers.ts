import { drawSparkline } from '../components/sparkline.js';
import { statusBadge } from '../components/ui.js';
import { type Column, virtualTable } from '../components/virtual-table.js';
import { h, mount } from '../lib/dom.js';
import { formatBytes, formatCount, formatDuration, formatPercent, STATUS_LABEL } from '../lib/format.js';
import { live } from '../lib/live.js';
import type { Page } from '../lib/nav.js';
import {
  loadAllRouters,
  loadLatest,
  loadRowFigures,
  loadSparklines,
  type RouterRow,
} from './routers-data.js';

const STATUS_ORDER: Record<string, number> = { offline: 0, unreachable: 1, unknown: 2, online: 3 };

/** A utilisation bar with its figure (CPU, memory). */
function usage(ratio: number | undefined, text: string): HTMLElement {
  const tone = ratio === undefined ? '' : ratio >= 0.9 ? 'bad' : ratio >= 0.7 ? 'warn' : '';
  return h(
    'span',
    null,
    text,
    ratio === undefined
      ? null
      : h('div', { class: `bar ${tone}` }, h('i', { style: `width:${Math.min(100, ratio * 100)}%` })),
  );
}

/** A column of one of the routers' labels (`site`, `role`), sorted by its text; `–` without it. */
function labelColumn(label: string, title: string): Column<RouterRow> {
  return {
    id: label,
    title,
    width: 'minmax(70px, 0.8fr)',
    cell: (r) => r.labels?.[label] ?? '–',
    sort: (r) => r.labels?.[label],
    wide: true,
  };
}

/**
 * All routers in one virtualised table: search, status and site filters, sort on every column.
 * Filtering and sorting happen here, in memory: 10,000 rows sort in a few milliseconds.
 */
export const routersPage: Page = (root, _params, query) => {
  const abort = new AbortController();
  const signal = abort.signal;
  let all: RouterRow[] = [];
  let bulkFigures = false;
  let latestTried = false;
  const sparkAt = new Map<string, number>();
  const figuresDone = new Set<string>();

  const columns: Array<Column<RouterRow>> = [
    {
      id: 'status',
      title: 'Status',
      width: '104px',
      cell: (r) => statusBadge(r.status),
      sort: (r) => STATUS_ORDER[r.status],
    },
    {
      id: 'name',
      title: 'Router',
      width: 'minmax(0, 2fr)',
      cell: (r) => [
        h('span', { class: 'name' }, r.name),
        r.name.toLowerCase() !== r.id.toLowerCase() ? h('span', { class: 'muted' }, ` ${r.id}`) : null,
      ],
      sort: (r) => r.name,
    },
    {
      id: 'host',
      title: 'Address',
      width: 'minmax(110px, 1fr)',
      cell: (r) => h('span', { class: 'mono' }, r.host),
      sort: (r) => r.host,
      wide: true,
    },
    labelColumn('site', 'Site'),
    labelColumn('role', 'Role'),
    {
      id: 'cpu',
      title: 'CPU',
      width: '64px',
      num: true,
      cell: (r) => usage(r.cpu, formatPercent(r.cpu)),
      sort: (r) => r.cpu,
    },
    {
      id: 'mem',
      title: 'Memory',
      width: '96px',
      num: true,
      wide: true,
      cell: (r) => {
        const ratio = r.memUsed !== undefined && r.memTotal ? r.memUsed / r.memTotal : undefined;
        return usage(ratio, ratio === undefined ? formatBytes(r.memUsed) : formatPercent(ratio));
      },
      sort: (r) => (r.memUsed !== undefined && r.memTotal ? r.memUsed / r.memTotal : undefined),
    },
    {
      id: 'uptime',
      title: 'Uptime',
      width: '90px',
      num: true,
      wide: true,
      cell: (r) => formatDuration(r.uptime),
      sort: (r) => r.uptime,
    },
    {
      id: 'traffic',
      title: 'Traffic 1h',
      width: 'minmax(90px, 1fr)',
      wide: true,
      cell: (r) => {
        const c = h('canvas', { 'aria-hidden': 'true' });
        // Drawn after insertion, when the canvas has its size.
        if (r.spark) requestAnimationFrame(() => drawSparkline(c, r.spark ?? []));
        return c;
      },
    },
  ];

  let visibleTimer: ReturnType<typeof setTimeout> | undefined;
  const tableView = virtualTable<RouterRow>({
    columns,
    label: 'Routers',
    key: (r) => r.id,
    href: (r) => `/routers/${encodeURIComponent(r.id)}`,
    initialSort: { id: 'status', dir: 'asc' },
    empty: 'No router matches.',
    onVisible: (rows) => {
      // Debounced: a fast scroll through 10,000 rows must not fire requests for every frame.
      clearTimeout(visibleTimer);
      visibleTimer = setTimeout(() => void fillVisible(rows), 200);
    },
  });

  async function fillVisible(rows: RouterRow[]) {
    // Until the bulk figures were tried, per-row figures would be wasted requests.
    if (!latestTried) return;
    // A sparkline is refreshed after a minute, or after 10 s while it has no data yet (a rate
    // needs two polls).
    const now = Date.now();
    const needSpark = rows.filter((r) => {
      const at = sparkAt.get(r.id);
      return at === undefined || now - at > (r.spark?.length ? 60_000 : 10_000);
    });
    for (const r of needSpark) sparkAt.set(r.id, now);
    const needFigures = bulkFigures ? [] : rows.filter((r) => !figuresDone.has(r.id));
    for (const r of needFigures) figuresDone.add(r.id);
    if (needSpark.length === 0 && needFigures.length === 0) return;
    await Promise.all([
      loadSparklines(needSpark, signal).catch(() => undefined),
      ...needFigures.map((r) => loadRowFigures(r, signal).catch(() => undefined)),
    ]);
    if (!signal.aborted) tableView.redraw();
  }

  const search = h('input', {
    type: 'search',
    id: 'router-search',
    placeholder: 'Search name, address, site…',
    'aria-label': 'Search routers',
    class: 'grow',
    value: query.get('q') ?? '',
  });
  const statusSel = h(
    'select',
    { 'aria-label': 'Filter by status', id: 'router-status' },
    h('option', { value: '' }, 'All statuses'),
    ['online', 'unreachable', 'offline', 'unknown'].map((s) =>
      h('option', { value: s }, STATUS_LABEL[s] ?? s),
    ),
  );
  statusSel.value = query.get('status') ?? '';
  const siteSel = h(
    'select',
    { 'aria-label': 'Filter by site', id: 'router-site' },
    h('option', { value: '' }, 'All sites'),
  );
  const countEl = h('span', { class: 'muted', 'data-testid': 'router-count' }, 'Loading…');

  const applyFilter = () => {
    const needle = search.value.trim().toLowerCase();
    const st = statusSel.value;
    const site = siteSel.value;
    const rows = all.filter((r) => {
      if (st && r.status !== st) return false;
      if (site && r.labels?.site !== site) return false;
      if (!needle) return true;
      return `${r.id} ${r.name} ${r.host} ${r.labels?.site ?? ''} ${r.labels?.role ?? ''}`
        .toLowerCase()
        .includes(needle);
    });
    countEl.textContent =
      expected !== undefined
        ? `loading ${formatCount(all.length)} of ${formatCount(expected)} routers…`
        : rows.length === all.length
          ? `${formatCount(all.length)} routers`
          : `${formatCount(rows.length)} of ${formatCount(all.length)}`;
    tableView.setRows(rows);
    const params = new URLSearchParams();
    if (search.value) params.set('q', search.value);
    if (st) params.set('status', st);
    if (site) params.set('site', site);
    const next = `/routers${params.size ? `?${params}` : ''}`;
    if (next !== location.pathname + location.search) history.replaceState(null, '', next);
  };
  search.addEventListener('input', applyFilter);
  statusSel.addEventListener('change', applyFilter);
  siteSel.addEventListener('change', applyFilter);

  mount(root, h('div', { class: 'toolbar' }, search, statusSel, siteSel, countEl), tableView.el);

  let expected: number | undefined;
  loadAllRouters(signal, (rows, total) => {
    all = rows;
    expected = total;
    applyFilter();
  })
    .then(async (rows) => {
      all = rows;
      expected = undefined;
      const sites = [
        ...new Set(rows.map((r) => r.labels?.site).filter((s): s is string => Boolean(s))),
      ].sort();
      siteSel.append(...sites.map((s) => h('option', { value: s }, s)));
      siteSel.value = query.get('site') ?? '';
      applyFilter();
      bulkFigures = await loadLatest(rows, signal).catch(() => false);
      latestTried = true;
      tableView.redraw();
    })
    .catch((err: Error) => {
      if (!signal.aborted) countEl.textContent = `Could not load routers: ${err.message}`;
    });

  const byId = () => new Map(all.map((r) => [r.id, r]));
  let index: Map<string, RouterRow> | undefined;
  const off = live.on('status', (e) => {
    index ??= byId();
    const row = index.get(e.device);
    if (!row) return;
    row.status = e.status;
    tableView.redraw();
  });

  // A wall screen stays current: rows on screen refresh their sparklines, figures every minute.
  let ticks = 0;
  const refresh = setInterval(() => {
    ticks++;
    if (bulkFigures && ticks % 4 === 0) void loadLatest(all, signal).then(() => tableView.redraw());
    else tableView.redraw();
  }, 15_000);

  return () => {
    abort.abort();
    clearInterval(refresh);
    clearTimeout(visibleTimer);
    off();
    tableView.destroy();
  };
};
