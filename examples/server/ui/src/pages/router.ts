import '../styles/router.css';
import { type Chart, lineChart } from '../components/chart.js';
import type { ChartWindow } from '../components/interface-charts.js';
import { interfacesTab } from '../components/interface-tab.js';
import { parseView, type RouterView, stepFor, viewQuery } from '../components/interface-url.js';
import { card, segmented, stat } from '../components/ui.js';
import { ApiError, api, optional, qs } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatBytes, formatDuration, formatPercent, formatTime } from '../lib/format.js';
import { live } from '../lib/live.js';
import { type Page, setTitle } from '../lib/nav.js';
import { RANGES, type RangeChoice, rangeFor } from '../lib/ranges.js';
import { align, lastValue, type Point } from '../lib/series.js';
import type { DhcpRow, PppoeRow, RangeResult, Router, WirelessRow } from '../lib/types.js';
import { availabilityView, routerSummary, type StatusChange, statusChangesView } from './router-summary.js';
import { alertsTab, dhcpColumns, pppoeColumns, searchTab, wirelessColumns } from './router-tabs.js';

/** Crosshair shared by the health charts (the interface charts have their own group). */
const HEALTH_SYNC = 'router-health';

const TABS = ['Interfaces', 'PPPoE', 'DHCP', 'Wireless', 'Alerts'] as const;

/** Highest last value across a result's series (several CPUs, several sensors). */
const maxLast = (r: RangeResult | undefined) => {
  const vals = (r?.series ?? []).map((s) => lastValue(s.points)).filter((v): v is number => v !== undefined);
  return vals.length ? Math.max(...vals) : undefined;
};

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
  const chartWindow = (): ChartWindow =>
    view.zoom
      ? { from: view.zoom[0], to: view.zoom[1], step: stepFor(view.zoom[1] - view.zoom[0]) }
      : { from: range.from, step: range.step };
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

  const charts: Chart[] = [];
  const loadHealth = async () => {
    for (const c of charts.splice(0)) c.destroy();
    const cpu = lineChart({
      lines: [{ label: 'CPU', color: '--chart-in', fill: true }],
      format: formatPercent,
      label: 'CPU load',
      height: 180,
      sync: HEALTH_SYNC,
      onZoom,
    });
    const mem = lineChart({
      lines: [{ label: 'Used', color: '--chart-out', fill: true }],
      format: formatBytes,
      label: 'Memory used',
      height: 180,
      sync: HEALTH_SYNC,
      onZoom,
    });
    const temp = lineChart({
      lines: [{ label: 'Temperature', color: '--chart-in' }],
      format: (v) => `${v.toFixed(0)} °C`,
      label: 'Temperature',
      height: 180,
      sync: HEALTH_SYNC,
      onZoom,
    });
    charts.push(cpu, mem, temp);
    const chartCard = (title: string, c: Chart) =>
      h('section', { class: 'card' }, h('div', { class: 'chart-title' }, h('h2', null, title)), c.el);
    mount(health, chartCard('CPU', cpu), chartCard('Memory', mem), chartCard('Temperature', temp));
    const w = chartWindow();
    const get = (metric: string, fn = 'avg') =>
      api<RangeResult>(
        `/api/v1/metrics/routers/${encodeURIComponent(id)}${qs({ metric, from: w.from, to: w.to, step: w.step, fn })}`,
        { signal },
      ).catch(() => undefined);
    const [c, used, total, t, up, uptime] = await Promise.all([
      get('device_cpu_load_ratio'),
      get('device_memory_used_bytes'),
      get('device_memory_total_bytes', 'last'),
      get('device_temperature_celsius'),
      get('device_up'),
      get('device_uptime_seconds', 'last'),
    ]);
    if (signal.aborted) return;
    const win: [number, number] | undefined = c ? [c.from, c.to] : undefined;
    cpu.setData(align([c?.series[0]?.points ?? []]) as never, win);
    mem.setData(align([used?.series[0]?.points ?? []]) as never, win);
    temp.setData(align([t?.series[0]?.points ?? []]) as never, win);
    // The tiles say how the router is now: a zoomed window into the past keeps them as they are.
    if (view.zoom && tiles.childElementCount > 0) {
      drawAvailability(up?.series[0]?.points ?? []);
      return;
    }
    const memUsed = maxLast(used);
    const memTotal = maxLast(total);
    const cpuNow = maxLast(c);
    const tempNow = maxLast(t);
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
          sub: memTotal ? `${formatBytes(memUsed)} of ${formatBytes(memTotal)}` : undefined,
          tone: 'info',
          id: 'memory',
        },
      ),
      stat('Temperature', tempNow === undefined ? '–' : `${tempNow.toFixed(0)} °C`, {
        tone: tempNow !== undefined && tempNow > 70 ? 'warn' : 'info',
        id: 'temperature',
      }),
      stat('Uptime', formatDuration(maxLast(uptime) ?? router?.system?.uptimeSeconds), {
        tone: 'info',
        id: 'uptime',
      }),
    );
    drawAvailability(up?.series[0]?.points ?? []);
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

  // Charts and the interface table need only the router's id: asked for at once, beside the
  // router itself, rather than one round trip later.
  void loadHealth();
  drawTab();
  api<Router>(`/api/v1/routers/${encodeURIComponent(id)}`, { signal })
    .then((r) => {
      router = r;
      drawHead();
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
