import { ipLink, macLink, userLink } from '../components/links.js';
import { severityBadge, table } from '../components/ui.js';
import { fetchAlerts, optional, qs } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatAgo, formatBps, formatDuration } from '../lib/format.js';
import type { DhcpRow, Page, PppoeRow, WirelessRow } from '../lib/types.js';

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
