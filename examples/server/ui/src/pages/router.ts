import '../styles/router.css';
import { type Chart, type LineSpec, lineChart, preloadCharts } from '../components/chart.js';
import type { ChartWindow } from '../components/interface-charts.js';
import { seriesPath, tablePath } from '../components/interface-data.js';
import { interfacesTab } from '../components/interface-tab.js';
import { chartWindowOf, parseView, type RouterView, viewQuery } from '../components/interface-url.js';
import { card, segmented, stat } from '../components/ui.js';
import { ApiError, api, optional, qs } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatBytes, formatDuration, formatPercent, formatTime } from '../lib/format.js';
import { live } from '../lib/live.js';
import { type Page, setTitle } from '../lib/nav.js';
import { RANGES, type RangeChoice, rangeFor } from '../lib/ranges.js';
import { align, type Point } from '../lib/series.js';
import type {
  DhcpRow,
  PppoeRow,
  Router,
  RouterGauges,
  RouterHealth,
  Series,
  WirelessRow,
} from '../lib/types.js';
import { prefetch, take } from './router-prefetch.js';
import { availabilityView, routerSummary, type StatusChange, statusChangesView } from './router-summary.js';
import { alertsTab, dhcpColumns, pppoeColumns, searchTab, wirelessColumns } from './router-tabs.js';

/** Crosshair shared by the health charts (the interface charts have their own group). */
const HEALTH_SYNC = 'router-health';
/** Longest the health charts' first request waits for the interface charts' data. */
const HEALTH_WAIT_MS = 2000;

/** The health charts, in page order: CPU, memory, temperature. */
const HEALTH_CHARTS: Array<{ title: string; label: string; line: LineSpec; format: (v: number) => string }> =
  [
    {
      title: 'CPU',
      label: 'CPU load',
      line: { label: 'CPU', color: '--chart-in', fill: true },
      format: formatPercent,
    },
    {
      // The server sums memory over the router's pools, for the tile and the chart alike.
      title: 'Memory (all pools)',
      label: 'Memory used',
      line: { label: 'Used, sum of pools', color: '--chart-out', fill: true },
      format: formatBytes,
    },
    {
      title: 'Temperature',
      label: 'Temperature',
      line: { label: 'Temperature', color: '--chart-in' },
      format: (v) => `${v.toFixed(0)} °C`,
    },
  ];

const TABS = ['Interfaces', 'PPPoE', 'DHCP', 'Wireless', 'Alerts'] as const;

const routerPath = (id: string) => `/api/v1/routers/${encodeURIComponent(id)}`;

/**
 * Opened on a router page (a link from a ticket, a reload): its first three requests start as
 * the bundle runs, beside the session check and the shell's first layout, and the chart library
 * loads meanwhile. The page takes those answers when it asks (`take`).
 */
function prefetchFromAddress(): void {
  const m = /^\/routers\/([^/]+)\/?$/.exec(location.pathname);
  if (!m) return;
  const id = decodeURIComponent(m[1] as string);
  const view = parseView(new URLSearchParams(location.search));
  prefetch(routerPath(id));
  // Without interfaces in the URL the server chooses the charted ones (see interface-tab).
  if (!view.ifs) prefetch(seriesPath(id, 'default', chartWindowOf(view)));
  prefetch(tablePath(id));
  preloadCharts();
}
prefetchFromAddress();

/** One router: figures, health charts, availability, interfaces, subscribers, its alerts. */
export const routerPage: Page = (root, params, query) => {
  const id = params.id ?? '';
  const abort = new AbortController();
  const signal = abort.signal;
  // The whole view (range, zoom, charted interfaces, table sort) lives in the URL.
  let view: RouterView = parseView(query);
  let range: RangeChoice = rangeFor(view.range);
  const setView = (patch: Partial<RouterView>) => {
    view = { ...view, ...patch };
    range = rangeFor(view.range);
    history.replaceState(null, '', `/routers/${encodeURIComponent(id)}${viewQuery(view)}`);
    drawZoomNote();
  };
  /** What the charts show: the zoomed window when there is one, else the preset range. */
  const chartWindow = (): ChartWindow => chartWindowOf(view);
  const cleanups: Array<() => void> = [];
  let router: Router | undefined;

  const head = h('section', { class: 'card' }, h('p', { class: 'muted' }, 'Loading…'));
  const tiles = h('div', { class: 'grid stats', 'data-testid': 'router-tiles' });
  const health = h('div', { class: 'charts' });
  const avail = h('section', { class: 'card', 'data-testid': 'availability' });
  const tabBody = h('div');
  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Router details' });

  const drawHead = () => {
    if (!router) return;
    setTitle(router.name);
    mount(head, ...routerSummary(router));
  };

  /** The tiles: how the router is now (from the router's answer first, then the health answer). */
  const drawTiles = (now: RouterGauges) => {
    const { memoryUsed: memUsed, memoryTotal: memTotal, cpu: cpuNow, temperature: tempNow } = now;
    mount(
      tiles,
      stat('CPU', formatPercent(cpuNow), {
        tone: cpuNow === undefined ? undefined : cpuNow > 0.9 ? 'bad' : cpuNow > 0.7 ? 'warn' : 'ok',
        id: 'cpu',
      }),
      stat(
        'Memory',
        memUsed !== undefined && memTotal ? formatPercent(memUsed / memTotal) : formatBytes(memUsed),
        {
          sub: memTotal ? `${formatBytes(memUsed)} of ${formatBytes(memTotal)}, all pools` : undefined,
          tone: 'info',
          id: 'memory',
        },
      ),
      stat('Temperature', tempNow === undefined ? '–' : `${tempNow.toFixed(0)} °C`, {
        tone: tempNow !== undefined && tempNow > 70 ? 'warn' : 'info',
        id: 'temperature',
      }),
      stat('Uptime', formatDuration(now.uptimeSeconds ?? router?.system?.uptimeSeconds), {
        tone: 'info',
        id: 'uptime',
      }),
    );
  };

  const charts: Chart[] = [];
  /** `after`: the first load waits for the interface charts' data (or HEALTH_WAIT_MS) before asking. */
  const loadHealth = async (after?: Promise<unknown>) => {
    for (const c of charts.splice(0)) c.destroy();
    const [cpu, mem, temp] = HEALTH_CHARTS.map((c) =>
      lineChart({
        lines: [c.line],
        format: c.format,
        label: c.label,
        height: 180,
        sync: HEALTH_SYNC,
        onZoom,
      }),
    ) as [Chart, Chart, Chart];
    charts.push(cpu, mem, temp);
    mount(
      health,
      ...HEALTH_CHARTS.map((c, i) =>
        h(
          'section',
          { class: 'card' },
          h('div', { class: 'chart-title' }, h('h2', null, c.title)),
          (charts[i] as Chart).el,
        ),
      ),
    );
    if (after) {
      await Promise.race([after, new Promise((r) => setTimeout(r, HEALTH_WAIT_MS))]);
      if (signal.aborted) return;
    }
    const w = chartWindow();
    // One request for the charts and the tiles: the tiles' newest values come from the server's
    // memory of the polls, the charts from storage.
    const res = await api<RouterHealth>(
      `/api/v1/routers/${encodeURIComponent(id)}/health${qs({ from: w.from, to: w.to, step: w.step })}`,
      { signal },
    ).catch(() => undefined);
    if (signal.aborted) return;
    const first = (s: Series[] | undefined) => s?.[0]?.points ?? [];
    const win: [number, number] | undefined = res ? [res.from, res.to] : undefined;
    cpu.setData(align([first(res?.series.cpu)]) as never, win);
    mem.setData(align([first(res?.series.memoryUsed)]) as never, win);
    temp.setData(align([first(res?.series.temperature)]) as never, win);
    const up = first(res?.series.up);
    // The tiles say how the router is now: a zoomed window into the past keeps them as they are.
    if (view.zoom && tiles.childElementCount > 0) {
      drawAvailability(up);
      return;
    }
    drawTiles({ ...router?.gauges, ...res?.now });
    drawAvailability(up);
  };

  const zoomNote = h('span', { class: 'muted ifc-zoom', 'data-testid': 'zoom-note' });
  function drawZoomNote() {
    if (!view.zoom) {
      zoomNote.replaceChildren();
      return;
    }
    mount(
      zoomNote,
      `Zoomed: ${formatTime(view.zoom[0])} – ${formatTime(view.zoom[1])} `,
      h('button', { type: 'button', onclick: () => onZoom(undefined) }, 'Reset zoom'),
    );
  }
  /** A drag on any chart zooms every chart; a double-click (or Reset zoom) goes back to the range. */
  function onZoom(win: [number, number] | undefined) {
    if (!win && !view.zoom) return;
    setView({ zoom: win });
    void loadHealth();
    ifTab?.redrawCharts();
  }

  const drawAvailability = (points: Point[]) => {
    mount(avail, ...availabilityView(points, view.zoom ? 'zoomed window' : range.label));
    // Status changes come from the stored history; a server without storage has none to show.
    optional<{ changes: StatusChange[] }>(
      `/api/v1/routers/${encodeURIComponent(id)}/status-history${qs({ from: range.from })}`,
      abort.signal,
    )
      .then((history) => {
        if (history) avail.append(statusChangesView(history.changes));
      })
      .catch(() => undefined);
  };

  let tab: (typeof TABS)[number] = 'Interfaces';
  let tabCleanup: (() => void) | undefined;
  let tabAbort: AbortController | undefined;
  let ifTab: ReturnType<typeof interfacesTab> | undefined;
  const drawTab = () => {
    tabCleanup?.();
    tabAbort?.abort();
    tabAbort = new AbortController();
    const s = tabAbort.signal;
    abort.signal.addEventListener('abort', () => tabAbort?.abort());
    for (const b of tabList.children) b.setAttribute('aria-selected', String(b.textContent === tab));
    tabCleanup = undefined;
    ifTab = undefined;
    if (tab === 'Interfaces') {
      const t = interfacesTab({
        router: id,
        getView: () => view,
        setView,
        chartWindow,
        onZoom,
        signal: s,
      });
      ifTab = t;
      tabCleanup = t.destroy;
      mount(tabBody, t.el);
    } else if (tab === 'PPPoE') {
      mount(
        tabBody,
        searchTab<PppoeRow>({
          path: '/api/v1/sessions/pppoe',
          router: id,
          label: 'PPPoE sessions',
          placeholder: 'User, address or caller id',
          columns: pppoeColumns,
          signal: s,
          missing: 'This server has no PPPoE session list.',
        }),
      );
    } else if (tab === 'DHCP') {
      mount(
        tabBody,
        searchTab<DhcpRow>({
          path: '/api/v1/sessions/dhcp',
          router: id,
          label: 'DHCP leases',
          placeholder: 'Address, MAC or host name',
          columns: dhcpColumns,
          signal: s,
          missing: 'This server has no DHCP lease list.',
        }),
      );
    } else if (tab === 'Wireless') {
      mount(
        tabBody,
        searchTab<WirelessRow>({
          path: '/api/v1/sessions/wireless',
          router: id,
          label: 'wireless clients',
          placeholder: 'MAC or interface',
          columns: wirelessColumns,
          signal: s,
          missing: 'This server does not list wireless clients yet.',
        }),
      );
    } else {
      mount(tabBody, alertsTab(id, s));
    }
  };
  tabList.append(
    ...TABS.map((t) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          'aria-selected': String(t === tab),
          onclick: () => {
            tab = t;
            drawTab();
          },
        },
        t,
      ),
    ),
  );

  const picker = segmented(
    'Time range',
    RANGES.map((r) => ({ value: r.value, label: r.label })),
    range.value,
    (v) => {
      setView({ range: v, zoom: undefined });
      void loadHealth();
      ifTab?.redrawCharts();
    },
  );
  drawZoomNote();

  mount(
    root,
    h(
      'div',
      { class: 'toolbar' },
      h('a', { href: '/routers' }, '← All routers'),
      h(
        'a',
        { href: `/reports?router=${encodeURIComponent(id)}`, 'data-testid': 'report-link' },
        'Availability report',
      ),
      h('span', { class: 'grow' }),
      zoomNote,
      picker,
    ),
    head,
    tiles,
    health,
    avail,
    card('Details', tabList, h('div', { style: 'padding-top:12px' }, tabBody)),
  );

  // The interface table and charts need only the router's id: asked for at once, beside the
  // router itself (whose answer carries the tiles' figures), rather than one round trip later.
  // The health charts' series come after the interface charts' own: storage answers one query
  // at a time (PGlite), and what an engineer reads first must not queue behind them.
  drawTab();
  void loadHealth(ifTab?.settled);
  take<Router>(routerPath(id), signal)
    .then((r) => {
      router = r;
      drawHead();
      if (tiles.childElementCount === 0 && r.gauges) drawTiles(r.gauges);
    })
    .catch((err: Error) => {
      if (signal.aborted) return;
      tabAbort?.abort();
      mount(
        root,
        card(
          err instanceof ApiError && err.status === 404 ? 'No such router' : 'Could not load the router',
          h('p', null, err.message),
          h('a', { href: '/routers' }, '← All routers'),
        ),
      );
    });

  cleanups.push(
    live.on('status', (e) => {
      if (e.device !== id || !router) return;
      router = { ...router, status: e.status, since: new Date(e.ts).toISOString() };
      drawHead();
    }),
  );

  return () => {
    abort.abort();
    tabCleanup?.();
    for (const c of charts) c.destroy();
    for (const c of cleanups) c();
  };
};
