import { statusBadge } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatAgo, formatDuration, formatPercent, formatTime } from '../lib/format.js';
import { availability, downsample, type Point } from '../lib/series.js';
import type { Router } from '../lib/types.js';

/** System facts as the API shows them: the driver's, completed from sysDescr (`os`). */
type SystemView = NonNullable<Router['system']> & { os?: string };

/**
 * The router page's header: name, status and since when (relative and the exact time), what it
 * runs (vendor, model, OS and version, for SNMP and RouterOS alike), uptime, address, driver,
 * labels, upstream, last poll and last error.
 */
export function routerSummary(r: Router): HTMLElement[] {
  const sys = r.system as SystemView | undefined;
  const unknown = () => h('span', { class: 'muted' }, 'unknown');
  return [
    h(
      'header',
      null,
      h('h2', { style: 'font-size:18px' }, r.name),
      h('span', { 'data-testid': 'router-status' }, statusBadge(r.status)),
      h(
        'span',
        { class: 'muted', 'data-testid': 'router-since', title: r.since ?? '' },
        r.since ? `since ${formatTime(Date.parse(r.since))} (${formatAgo(r.since)})` : '',
      ),
    ),
    h(
      'dl',
      { class: 'kv rtr-system', 'data-testid': 'router-system' },
      h('dt', null, 'Model'),
      h('dd', { 'data-field': 'model' }, [sys?.vendor, sys?.model].filter(Boolean).join(' ') || unknown()),
      h('dt', null, 'OS'),
      h('dd', { 'data-field': 'os' }, [sys?.os, sys?.version].filter(Boolean).join(' ') || unknown()),
      h('dt', null, 'Uptime'),
      h('dd', { 'data-field': 'uptime' }, formatDuration(sys?.uptimeSeconds)),
    ),
    h(
      'dl',
      { class: 'kv' },
      h('dt', null, 'Address'),
      h('dd', { class: 'mono' }, r.port ? `${r.host}:${r.port}` : r.host),
      h('dt', null, 'Driver'),
      h('dd', null, r.driver),
      r.labels && Object.keys(r.labels).length
        ? [
            h('dt', null, 'Labels'),
            h(
              'dd',
              null,
              Object.entries(r.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join('  '),
            ),
          ]
        : null,
      r.parent
        ? [
            h('dt', null, 'Upstream'),
            h('dd', null, h('a', { href: `/routers/${encodeURIComponent(r.parent)}` }, r.parent)),
          ]
        : null,
      sys?.description
        ? [h('dt', null, 'Description'), h('dd', { class: 'muted small rtr-descr' }, sys.description)]
        : null,
      r.lastSuccessAt ? [h('dt', null, 'Last poll'), h('dd', null, formatAgo(r.lastSuccessAt))] : null,
      r.lastError
        ? [
            h('dt', null, 'Last error'),
            h('dd', { class: 'error-msg' }, `${r.lastError.code}: ${r.lastError.message}`),
          ]
        : null,
    ),
  ];
}

/** Availability over the range from `device_up` averages: the figure and a strip of 120 buckets. */
export function availabilityView(points: Point[], rangeLabel: string): HTMLElement[] {
  const a = availability(downsample(points, 120));
  const whole = availability(points);
  return [
    h(
      'header',
      null,
      h('h2', null, `Availability, last ${rangeLabel}`),
      h(
        'strong',
        { 'data-testid': 'availability-ratio' },
        whole.ratio === undefined ? 'no data' : formatPercent(whole.ratio),
      ),
    ),
    h(
      'div',
      {
        class: 'strip',
        role: 'img',
        'aria-label': `Availability ${whole.ratio === undefined ? 'unknown' : formatPercent(whole.ratio)}`,
      },
      a.buckets.map((b) => h('i', { class: b === 'none' ? '' : b })),
    ),
    h(
      'div',
      { class: 'legend', style: 'margin-top:8px' },
      h('span', null, h('i', { style: 'background:var(--ok)' }), 'up'),
      h('span', null, h('i', { style: 'background:var(--warn)' }), 'partly down'),
      h('span', null, h('i', { style: 'background:var(--bad)' }), 'down'),
    ),
  ];
}

/** One stored status change of a router (`/api/v1/routers/:id/status-history`). */
export interface StatusChange {
  ts: number;
  previous: string;
  status: string;
  reason: string | null;
}

/** The router's status changes over the range, newest first (at most 20 shown). */
export function statusChangesView(changes: StatusChange[]): HTMLElement {
  if (changes.length === 0) return h('p', { class: 'muted' }, 'No status change in this range.');
  const rows = [...changes].reverse().slice(0, 20);
  return h(
    'table',
    { class: 'table', 'data-testid': 'status-history' },
    h('caption', null, `Status changes (${changes.length})`),
    h('thead', null, h('tr', null, h('th', null, 'When'), h('th', null, 'Change'), h('th', null, 'Reason'))),
    h(
      'tbody',
      null,
      rows.map((c) =>
        h(
          'tr',
          null,
          h('td', { title: new Date(c.ts).toISOString() }, formatAgo(c.ts)),
          h('td', null, statusBadge(c.previous), ' → ', statusBadge(c.status)),
          h('td', null, c.reason ?? ''),
        ),
      ),
    ),
  );
}
