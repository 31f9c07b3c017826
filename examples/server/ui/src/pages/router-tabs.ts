import { lineChart } from '../components/chart.js';
import { ipLink, macLink, userLink } from '../components/links.js';
import { severityBadge, table } from '../components/ui.js';
import { api, fetchAlerts, interfaceSeries, optional, qs, routerSeries } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatAgo, formatBps, formatDuration } from '../lib/format.js';
import type { RangeChoice } from '../lib/ranges.js';
import { align } from '../lib/series.js';
import type { DhcpRow, InterfaceRow, Page, PppoeRow, RangeResult, WirelessRow } from '../lib/types.js';

/** Most interface charts drawn at once (the rest are one click away in the table). */
const MAX_CHARTS = 8;

/**
 * Interfaces of a router: a searchable table, and in/out traffic charts for the chosen ones
 * (uPlot: drag to zoom, double-click to reset). Sets `data-state="ready"` on the chart grid once
 * every chart has its data (the benchmark and tests wait for it).
 */
export function interfacesTab(
  id: string,
  range: RangeChoice,
  signal: AbortSignal,
): { el: HTMLElement; destroy(): void } {
  const charts: Array<{ destroy(): void }> = [];
  const grid = h('div', { class: 'charts', 'data-testid': 'interface-charts', 'data-state': 'loading' });
  const list = h('div');
  const search = h('input', {
    type: 'search',
    placeholder: 'Filter interfaces',
    'aria-label': 'Filter interfaces',
    class: 'grow',
  });
  const el = h('div', { class: 'grid' }, h('div', { class: 'toolbar' }, search), grid, list);
  let items: InterfaceRow[] = [];
  let chosen: string[] = [];

  const drawCharts = async () => {
    for (const c of charts.splice(0)) c.destroy();
    grid.dataset.state = 'loading';
    const pick = items.filter((i) => chosen.includes(i.id));
    if (pick.length === 0) {
      mount(grid, h('p', { class: 'muted' }, 'No interface to chart.'));
      grid.dataset.state = 'ready';
      return;
    }
    grid.replaceChildren();
    const mounted = pick.map((i) => {
      const chart = lineChart({
        lines: [
          { label: 'In', color: '--chart-in', fill: true },
          { label: 'Out', color: '--chart-out' },
        ],
        format: formatBps,
        height: 180,
        label: `Traffic of ${i.name}`,
      });
      charts.push(chart);
      grid.append(
        h(
          'section',
          { class: 'card', 'data-interface': i.id },
          h(
            'div',
            { class: 'chart-title' },
            h('h2', null, i.name),
            h(
              'span',
              { class: 'muted' },
              [i.alias, i.speedBps ? formatBps(i.speedBps) : ''].filter(Boolean).join(' · '),
            ),
          ),
          chart.el,
        ),
      );
      return { i, chart };
    });
    // Two requests for all interfaces (the router's series, one per ifName), not two per chart:
    // storage answers one query faster than sixteen small ones.
    const opts = { from: range.from, step: range.step, fn: 'rate' };
    const [inb, outb] = await Promise.all([
      routerSeries(id, 'interface_in_octets_total', opts, signal).catch(() => undefined),
      routerSeries(id, 'interface_out_octets_total', opts, signal).catch(() => undefined),
    ]);
    if (signal.aborted) return;
    const byName = (r: RangeResult | undefined) =>
      new Map((r?.series ?? []).map((x) => [x.labels.ifName, x.points]));
    const ins = byName(inb);
    const outs = byName(outb);
    const win: [number, number] | undefined = inb ? [inb.from, inb.to] : undefined;
    await Promise.all(
      mounted.map(async ({ i, chart }) => {
        let pin = ins.get(i.name);
        let pout = outs.get(i.name);
        if (!pin && !pout && !inb) {
          // Older server without router-wide series: ask per interface.
          const [a, b] = await Promise.all([
            interfaceSeries(i.id, 'interface_in_octets_total', opts, signal).catch(() => undefined),
            interfaceSeries(i.id, 'interface_out_octets_total', opts, signal).catch(() => undefined),
          ]);
          pin = a?.series[0]?.points;
          pout = b?.series[0]?.points;
        }
        // Octets per second → bits per second.
        chart.setData(align([pin ?? [], pout ?? []], 8) as never, win);
      }),
    );
    if (!signal.aborted) grid.dataset.state = 'ready';
  };

  const drawList = () => {
    const needle = search.value.trim().toLowerCase();
    const rows = items.filter(
      (i) => !needle || `${i.name} ${i.alias ?? ''} ${i.description ?? ''}`.toLowerCase().includes(needle),
    );
    mount(
      list,
      table(
        rows,
        [
          {
            title: 'Chart',
            cell: (i) =>
              h('input', {
                type: 'checkbox',
                'aria-label': `Chart ${i.name}`,
                checked: chosen.includes(i.id),
                onchange: (e: Event) => {
                  const on = (e.target as HTMLInputElement).checked;
                  chosen = on ? [...chosen, i.id] : chosen.filter((c) => c !== i.id);
                  void drawCharts();
                },
              }),
          },
          { title: 'Interface', cell: (i) => h('strong', null, i.name) },
          { title: 'Alias', cell: (i) => i.alias ?? i.description ?? '' },
          {
            title: 'Status',
            cell: (i) =>
              h(
                'span',
                { class: `badge ${i.operUp ? 'ok' : i.adminUp === false ? 'unknown' : 'bad'}` },
                i.operUp ? 'up' : i.adminUp === false ? 'disabled' : 'down',
              ),
          },
          { title: 'Speed', cell: (i) => (i.speedBps ? formatBps(i.speedBps) : '–'), num: true },
          { title: 'MAC', cell: (i) => h('span', { class: 'mono' }, i.mac ?? '') },
        ],
        'No interface reported yet.',
      ),
    );
  };
  search.addEventListener('input', drawList);

  api<Page<InterfaceRow>>(`/api/v1/routers/${encodeURIComponent(id)}/interfaces${qs({ pageSize: 1000 })}`, {
    signal,
  })
    .then((r) => {
      items = r.items;
      // Running interfaces first: those are the ones with traffic to see.
      chosen = [...items]
        .sort((a, b) => Number(Boolean(b.operUp)) - Number(Boolean(a.operUp)))
        .slice(0, MAX_CHARTS)
        .map((i) => i.id);
      drawList();
      void drawCharts();
    })
    .catch((err: Error) => {
      mount(list, h('p', { class: 'muted' }, `Interfaces are not available: ${err.message}`));
      grid.dataset.state = 'ready';
    });
  return {
    el,
    destroy: () => {
      for (const c of charts) c.destroy();
    },
  };
}

/** A searchable list (PPPoE sessions, DHCP leases, wireless clients) of one router. */
export function searchTab<T>(opts: {
  path: string;
  router: string;
  label: string;
  placeholder: string;
  columns: Array<{ title: string; cell: (row: T) => string | number | Node; num?: boolean }>;
  signal: AbortSignal;
  missing: string;
}): HTMLElement {
  const input = h('input', {
    type: 'search',
    placeholder: opts.placeholder,
    'aria-label': `Search ${opts.label}`,
    class: 'grow',
  });
  const count = h('span', { class: 'muted' });
  const out = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const load = async () => {
    const r = await optional<Page<T>>(
      `${opts.path}${qs({ router: opts.router, q: input.value.trim(), pageSize: 500 })}`,
      opts.signal,
    ).catch((err: Error) => {
      mount(out, h('p', { class: 'muted' }, err.message));
      return null;
    });
    if (r === null) return;
    if (!r) return mount(out, h('p', { class: 'muted' }, opts.missing));
    count.textContent = r.total > r.items.length ? `${r.items.length} of ${r.total}` : `${r.total}`;
    mount(out, table(r.items, opts.columns, `No ${opts.label} match.`, { cards: true }));
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 250);
  });
  void load();
  return h('div', { class: 'grid' }, h('div', { class: 'toolbar' }, input, count), out);
}

/** PPPoE, DHCP and wireless tabs share `searchTab`; their columns live here. */
export const pppoeColumns = [
  { title: 'User', cell: (r: PppoeRow) => userLink(r.user) },
  { title: 'Address', cell: (r: PppoeRow) => ipLink(r.address) },
  { title: 'Caller', cell: (r: PppoeRow) => macLink(r.callerId) },
  { title: 'Service', cell: (r: PppoeRow) => r.service ?? '' },
  { title: 'Uptime', cell: (r: PppoeRow) => formatDuration(r.uptimeSeconds), num: true },
];

export const dhcpColumns = [
  { title: 'Address', cell: (r: DhcpRow) => ipLink(r.address) },
  { title: 'MAC', cell: (r: DhcpRow) => macLink(r.mac) },
  { title: 'Host name', cell: (r: DhcpRow) => r.hostName ?? '' },
  { title: 'Server', cell: (r: DhcpRow) => r.server ?? '' },
  { title: 'Status', cell: (r: DhcpRow) => r.status ?? '' },
  { title: 'Expires in', cell: (r: DhcpRow) => formatDuration(r.expiresAfterSeconds), num: true },
];

export const wirelessColumns = [
  { title: 'MAC', cell: (r: WirelessRow) => macLink(r.mac) },
  { title: 'Interface', cell: (r: WirelessRow) => r.interface },
  {
    title: 'Signal',
    cell: (r: WirelessRow) => (r.signalDbm === undefined ? '–' : `${r.signalDbm} dBm`),
    num: true,
  },
  { title: 'TX rate', cell: (r: WirelessRow) => formatBps(r.txRateBps), num: true },
  { title: 'RX rate', cell: (r: WirelessRow) => formatBps(r.rxRateBps), num: true },
  { title: 'Uptime', cell: (r: WirelessRow) => formatDuration(r.uptimeSeconds), num: true },
];

/** The router's alerts, firing and recent. */
export function alertsTab(id: string, signal: AbortSignal): HTMLElement {
  const out = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  fetchAlerts(undefined, signal)
    .then((items) => {
      const mine = items.filter((a) => a.labels.device === id);
      mount(
        out,
        table(
          mine,
          [
            { title: 'Severity', cell: (a) => severityBadge(a.labels.severity) },
            { title: 'Alert', cell: (a) => h('strong', null, a.labels.alertname ?? '') },
            { title: 'Summary', cell: (a) => a.annotations.summary ?? '' },
            {
              title: 'State',
              cell: (a) => h('span', { class: `badge ${a.status === 'firing' ? 'bad' : 'ok'}` }, a.status),
            },
            { title: 'Started', cell: (a) => formatAgo(a.startsAt) },
          ],
          'No alert for this router.',
        ),
      );
    })
    .catch((err: Error) => mount(out, h('p', { class: 'muted' }, err.message)));
  return h('div', null, h('p', null, h('a', { href: '/alerts' }, 'All alerts →')), out);
}
