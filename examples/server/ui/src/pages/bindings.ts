import { ipLink, macLink, routerLink, userLink } from '../components/links.js';
import { historyRangePicker, table } from '../components/ui.js';
import { ApiError, api, qs } from '../lib/api.js';
import { type Child, h, mount } from '../lib/dom.js';
import { formatDuration, formatTime } from '../lib/format.js';
import { type Page, setTitle } from '../lib/nav.js';
import { historyRange, type RangeChoice } from '../lib/ranges.js';
import type { BindingRecord } from '../lib/subscriber-types.js';

const SOURCE: Record<BindingRecord['source'], string> = {
  pppoe: 'PPPoE',
  dhcp: 'DHCP lease',
  wireless: 'Wireless',
  arp: 'ARP',
  interface: 'Router interface',
};

const at = (ts: number | null, now: number) =>
  ts === null
    ? h('span', { class: 'badge ok' }, 'now')
    : h('time', { title: new Date(ts).toISOString() }, formatTime(ts, now));

/**
 * Who held an address, when and where, newest first. `subject` is the column the page is about
 * (an IP page does not repeat the IP on every row; it links the MAC instead, and the other way).
 */
export function bindingsTable(rows: BindingRecord[], subject: 'ip' | 'mac'): HTMLElement {
  const now = Date.now();
  // RouterOS names a PPP interface `<pppoe-USER>`: it only repeats the user column.
  const iface = (b: BindingRecord) =>
    b.interface && !(b.user && b.interface === `<pppoe-${b.user}>`) ? b.interface : '';
  // A column empty on every row (no host names among PPPoE records, say) is left out.
  const any = (f: (b: BindingRecord) => string | null) => rows.some((b) => f(b));
  const columns: Array<{
    title: string;
    cell: (b: BindingRecord) => Child;
    num?: boolean;
    nowrap?: boolean;
  }> = [
    { title: 'From', cell: (b) => at(b.from, now), nowrap: true },
    { title: 'Until', cell: (b) => at(b.to, now), nowrap: true },
    {
      title: 'Duration',
      cell: (b) => formatDuration(((b.to ?? now) - b.from) / 1000),
      num: true,
      nowrap: true,
    },
    { title: 'Source', cell: (b) => SOURCE[b.source] ?? b.source },
  ];
  if (any((b) => b.user)) columns.push({ title: 'User', cell: (b) => userLink(b.user) });
  columns.push(
    subject === 'ip'
      ? { title: 'MAC', cell: (b) => macLink(b.mac) }
      : { title: 'IP', cell: (b) => ipLink(b.ip) },
  );
  if (any((b) => b.hostName)) columns.push({ title: 'Host name', cell: (b) => b.hostName ?? '' });
  columns.push({ title: 'Router', cell: (b) => routerLink(b.router), nowrap: true });
  if (any(iface)) columns.push({ title: 'Interface', cell: iface });
  return table(rows, columns, 'Nobody held it in this range.', { cards: true });
}

/** The IP page and the MAC page: one layout, a different path and subject. */
function bindingPage(kind: 'ip' | 'mac'): Page {
  return (root, params, query) => {
    const value = (kind === 'ip' ? params.ip : params.mac) ?? '';
    const abort = new AbortController();
    let range: RangeChoice = historyRange(query.get('range'));
    const base = kind === 'ip' ? '/ips' : '/macs';
    const label = kind === 'ip' ? 'IP address' : 'MAC address';
    setTitle(value);
    const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
    const count = h('span', { class: 'muted', 'data-testid': 'binding-count' });
    let loadAbort: AbortController | undefined;

    const load = async () => {
      loadAbort?.abort();
      loadAbort = new AbortController();
      const signal = loadAbort.signal;
      abort.signal.addEventListener('abort', () => loadAbort?.abort());
      try {
        const r = await api<{ items: BindingRecord[] }>(
          `/api/v1${base}/${encodeURIComponent(value)}/history${qs({ from: range.from, limit: 500 })}`,
          { signal },
        );
        const now = r.items.filter((b) => b.to === null);
        count.textContent = `${r.items.length} record${r.items.length === 1 ? '' : 's'} in the last ${range.label}`;
        mount(
          body,
          now.length
            ? h(
                'p',
                { 'data-testid': 'binding-now' },
                'Now: ',
                now.map((b, i) => [
                  i ? '; ' : '',
                  b.user ? [userLink(b.user), ' '] : null,
                  kind === 'ip' ? macLink(b.mac) : ipLink(b.ip),
                  ' on ',
                  routerLink(b.router),
                  b.interface && b.interface !== `<pppoe-${b.user}>` ? ` (${b.interface})` : '',
                  ` · ${SOURCE[b.source]}`,
                ]),
              )
            : h('p', { class: 'muted', 'data-testid': 'binding-now' }, 'Not in use now.'),
          bindingsTable(r.items, kind),
        );
      } catch (err) {
        if ((err as Error).name === 'AbortError') return;
        const bad = err instanceof ApiError && err.status === 400;
        mount(
          body,
          h(
            'p',
            { class: bad ? 'error-msg' : 'muted' },
            bad ? `Not a ${label}: ${(err as Error).message}` : (err as Error).message,
          ),
        );
      }
    };

    const picker = historyRangePicker(range, `${base}/${encodeURIComponent(value)}`, (r) => {
      range = r;
      void load();
    });
    mount(
      root,
      h(
        'section',
        { class: 'card', 'data-testid': `${kind}-history` },
        h(
          'header',
          { class: 'wrap' },
          h(
            'h2',
            null,
            h('span', { class: 'mono big' }, value),
            ' ',
            h('span', { class: 'muted' }, label),
            ' ',
            count,
          ),
          picker,
        ),
        body,
      ),
    );
    void load();
    return () => abort.abort();
  };
}

/** `/ips/:ip`: who held an IP address (PPPoE, DHCP, ARP), when and on which router. */
export const ipPage: Page = bindingPage('ip');

/** `/macs/:mac`: where a MAC address was seen (PPPoE caller id, DHCP, wireless, ARP). */
export const macPage: Page = bindingPage('mac');
