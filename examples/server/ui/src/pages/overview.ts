import { lineChart } from '../components/chart.js';
import { card, severityBadge, stat, statusBadge, table } from '../components/ui.js';
import { extraLabels, normaliseAlert } from '../lib/alerts.js';
import { api } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatAgo, formatBps, formatCount, formatPercent, SEVERITIES, severityRank } from '../lib/format.js';
import { live } from '../lib/live.js';
import type { Page as Nav } from '../lib/nav.js';
import { rangeFor } from '../lib/ranges.js';
import { align } from '../lib/series.js';
import type { Alert, AlertCounts, DeviceStatus, StatusEvent } from '../lib/types.js';
import { loadBusiest, loadPppoe, upShare } from './overview-data.js';

const STATES: DeviceStatus[] = ['online', 'unreachable', 'offline', 'unknown'];
/** Firing alerts the overview lists (the server's snapshot holds as many). */
const LATEST_SHOWN = 6;

/** `GET /api/v1/overview`. */
interface OverviewSnapshot {
  at: number;
  routers: { total: number; counts: Partial<Record<DeviceStatus, number>> };
  alerts: { counts: AlertCounts; latest: unknown[] };
}

/** Fleet counts, alerts by severity, busiest links, PPPoE sessions over time, recent changes. */
export const overviewPage: Nav = (root) => {
  const abort = new AbortController();
  const signal = abort.signal;
  const offs: Array<() => void> = [];
  const counts: Record<DeviceStatus, number | undefined> = {
    online: undefined,
    unreachable: undefined,
    offline: undefined,
    unknown: undefined,
  };

  const statsEl = h('div', { class: 'grid stats', 'data-testid': 'fleet-stats' });
  const drawStats = () => {
    const total = STATES.reduce((s, k) => s + (counts[k] ?? 0), 0);
    const tone = { online: 'ok', unreachable: 'warn', offline: 'bad', unknown: undefined } as const;
    const label = { online: 'Up', unreachable: 'Unreachable', offline: 'Down', unknown: 'Unknown' } as const;
    // Every share is of all routers in the inventory: unreachable, down and unknown count against
    // "up", and "up" is rounded down so it never reads 100 % while a router is not up.
    const share = (k: DeviceStatus) => {
      if (!total || counts[k] === undefined) return undefined;
      return k === 'online'
        ? `${upShare(counts).text} of ${formatCount(total)}`
        : formatPercent((counts[k] ?? 0) / total);
    };
    mount(
      statsEl,
      stat('Routers', formatCount(total), { tone: 'info', href: '/routers', id: 'total' }),
      STATES.map((k) =>
        stat(label[k], formatCount(counts[k]), {
          tone: tone[k],
          href: `/routers?status=${k}`,
          id: k,
          sub: share(k),
        }),
      ),
    );
  };
  drawStats();

  // Counts: the event stream's snapshots (whole, in stream order). Until its first snapshot
  // arrives, the overview's own snapshot (below) fills them.
  const useCounts = (c: Partial<Record<DeviceStatus, number>>) => {
    for (const k of STATES) counts[k] = c[k] ?? 0;
    drawStats();
  };
  if (live.counts) useCounts(live.counts);
  offs.push(
    live.on('counts', (e) => useCounts(e.counts)),
    live.on('status', (e) => pushChange(e)),
  );

  // Alerts by severity: the server's totals (the same snapshot as the navigation badge and the
  // alerts page; pending alerts are counted apart, never as firing). The newest few below.
  const firing = new Map<string, Alert>();
  let totals: AlertCounts | undefined;
  let listLoaded = false;
  const alertsEl = h('div', { 'data-testid': 'alerts-by-severity' });
  const drawAlerts = () => {
    const by = totals?.bySeverity ?? {};
    const sevs = [...new Set([...SEVERITIES, ...Object.keys(by)])].filter((s) => by[s] || s !== 'info');
    const latest = [...firing.values()]
      .sort(
        (a, b) =>
          severityRank(a.labels.severity) - severityRank(b.labels.severity) || b.startsAt - a.startsAt,
      )
      .slice(0, LATEST_SHOWN);
    mount(
      alertsEl,
      totals
        ? h(
            'p',
            { class: 'muted', 'data-testid': 'alert-totals' },
            h('strong', { 'data-testid': 'alerts-firing-total' }, formatCount(totals.firing)),
            ` firing (${formatCount(totals.unhandled)} not acknowledged or silenced) · `,
            h('span', { 'data-testid': 'alerts-pending-total' }, formatCount(totals.pending)),
            ' pending',
          )
        : null,
      h(
        'div',
        { class: 'grid stats' },
        sevs.map((s) =>
          stat(s[0]?.toUpperCase() + s.slice(1), totals ? formatCount(by[s] ?? 0) : '…', {
            tone: by[s]
              ? s === 'critical' || s === 'error'
                ? 'bad'
                : s === 'warning'
                  ? 'warn'
                  : 'info'
              : 'ok',
            href: '/alerts',
            id: `sev-${s}`,
          }),
        ),
      ),
      latest.length
        ? h(
            'ul',
            { class: 'feed' },
            latest.map((a) =>
              h(
                'li',
                null,
                severityBadge(a.labels.severity),
                h(
                  'a',
                  { href: a.labels.device ? `/routers/${encodeURIComponent(a.labels.device)}` : '/alerts' },
                  a.labels.alertname ?? 'alert',
                ),
                h('span', { class: 'muted' }, [a.labels.device, extraLabels(a)].filter(Boolean).join(' · ')),
                h('time', null, formatAgo(a.startsAt)),
              ),
            ),
          )
        : h(
            'p',
            { class: 'muted' },
            // Never "none" while the totals say otherwise: the list may still be on its way.
            !listLoaded
              ? 'Loading the latest alerts…'
              : (totals?.firing ?? 0) > 0
                ? h('a', { href: '/alerts' }, 'See them on the alerts page')
                : 'No alert is firing.',
          ),
    );
  };
  const useTotals = (c: AlertCounts) => {
    totals = c;
    drawAlerts();
  };
  // One request for the first paint: routers per status, the alert totals and the newest firing
  // alerts (the server keeps one snapshot a second; every firing alert was 2.4 MB at 10,000
  // routers). The stream's snapshots and events take over from it.
  let refilling = 0;
  const loadOverview = () =>
    api<OverviewSnapshot>('/api/v1/overview', { signal })
      .then((o) => {
        if (!live.counts) useCounts(o.routers.counts);
        if (!live.alertCounts) useTotals(o.alerts.counts);
        for (const a of o.alerts.latest.map(normaliseAlert)) if (!a.pending) firing.set(a.fingerprint, a);
        listLoaded = true;
        drawAlerts();
      })
      .catch(() => {
        if (!signal.aborted) mount(alertsEl, h('p', { class: 'muted' }, 'Alerts are not available.'));
      });
  offs.push(live.followAlertCounts(useTotals));
  const alertsDone = loadOverview();
  offs.push(
    live.on('alert:firing', (a) => {
      firing.set(a.fingerprint, a);
      drawAlerts();
    }),
    live.on('alert:resolved', (a) => {
      if (!firing.delete(a.fingerprint)) return;
      drawAlerts();
      // The feed lists the newest few: one that resolved leaves room for the next (asked for
      // at most every few seconds, however many resolve).
      if (
        firing.size < LATEST_SHOWN &&
        (totals?.firing ?? 0) > firing.size &&
        Date.now() - refilling > 5000
      ) {
        refilling = Date.now();
        void loadOverview();
      }
    }),
  );

  // Busiest links.
  const linksEl = h('div', { 'data-testid': 'busiest-links' }, h('p', { class: 'muted' }, 'Loading…'));
  // What an operator looks at first (counts, alerts) goes first; the heavier queries follow, so
  // they never queue in front of it on a busy server.
  const essentials = Promise.allSettled([alertsDone]);
  essentials
    .then(() => loadBusiest(signal))
    .then((rows) => {
      if (!rows) return mount(linksEl, h('p', { class: 'muted' }, 'This server does not rank links.'));
      const max = Math.max(1, ...rows.map((r) => r.totalBps));
      mount(
        linksEl,
        table(
          rows,
          [
            {
              title: 'Link',
              cell: (r) =>
                h('a', { href: `/routers/${encodeURIComponent(r.device)}` }, `${r.device} · ${r.ifName}`),
            },
            {
              title: 'Traffic (in + out)',
              num: true,
              cell: (r) => {
                // Utilisation when the speed is known; otherwise the share of the busiest link.
                const u = r.utilisation;
                const tone = u === undefined ? '' : u >= 0.8 ? 'bad' : u >= 0.5 ? 'warn' : '';
                const width = Math.min(100, (u ?? r.totalBps / max) * 100);
                return h(
                  'div',
                  null,
                  formatBps(r.totalBps),
                  u === undefined ? null : h('span', { class: 'muted' }, ` · ${formatPercent(u)}`),
                  h('div', { class: `bar ${tone}` }, h('i', { style: `width:${width}%` })),
                );
              },
            },
          ],
          'No traffic measured yet.',
        ),
      );
    })
    .catch(() => mount(linksEl, h('p', { class: 'muted' }, 'Traffic is not available.')));

  // PPPoE sessions over time.
  const range = rangeFor('24h');
  const pppoeChart = lineChart({
    lines: [{ label: 'PPPoE sessions', color: '--chart-in', fill: true }],
    format: (v) => formatCount(v),
    label: 'PPPoE sessions over 24 hours',
  });
  const pppoeNote = h('span', { class: 'muted' });
  void essentials.then(async () => {
    const { points, note } = await loadPppoe(range.from, range.step, signal);
    pppoeNote.textContent = note;
    pppoeChart.setData(align([points]) as never, [Date.now() - 86_400_000, Date.now()]);
  });

  // Recent status changes, newest first, from the stream.
  const changes = h(
    'ul',
    { class: 'feed', 'data-testid': 'status-feed' },
    h('li', { class: 'muted' }, 'Status changes appear here as they happen.'),
  );
  let changeCount = 0;
  const pushChange = (e: StatusEvent) => {
    if (changeCount === 0) changes.replaceChildren();
    changeCount++;
    changes.prepend(
      h(
        'li',
        null,
        statusBadge(e.status),
        h('a', { href: `/routers/${encodeURIComponent(e.device)}` }, e.device),
        h('span', { class: 'muted' }, `was ${e.previous}`),
        h('time', null, new Date(e.ts).toLocaleTimeString()),
      ),
    );
    while (changes.children.length > 12) changes.lastElementChild?.remove();
  };

  mount(
    root,
    statsEl,
    h('div', { class: 'grid two' }, card('Active alerts', alertsEl), card('Busiest links', linksEl)),
    h(
      'div',
      { class: 'grid two' },
      h(
        'section',
        { class: 'card' },
        h('header', null, h('h2', null, 'PPPoE sessions, last 24 hours'), pppoeNote),
        pppoeChart.el,
      ),
      card('Recent status changes', changes),
    ),
  );

  return () => {
    abort.abort();
    for (const off of offs) off();
    pppoeChart.destroy();
  };
};
