/** Pieces the report's two views share: figures, the toolbar, the method note. */
import { segmented, stat } from '../components/ui.js';
import { type Child, h } from '../lib/dom.js';
import { formatCount, formatDuration, formatTime } from '../lib/format.js';
import { navigate } from '../lib/nav.js';
import {
  type Covered,
  coverageShare,
  formatAvailability,
  PERIODS,
  type ReportState,
  stateQuery,
} from './reports-data.js';

/** The tone of an availability figure: what an operator looks at first. */
export function availabilityTone(ratio: number | null): string {
  if (ratio === null) return 'unknown';
  return ratio >= 0.999 ? 'ok' : ratio >= 0.99 ? 'warn' : 'bad';
}

/** An availability figure with its colour class. */
export function availabilityCell(ratio: number | null): HTMLElement {
  return h('span', { class: `avail ${availabilityTone(ratio)}` }, formatAvailability(ratio));
}

/** A period's two ends, each with its date (a report is read later, and pasted into tickets). */
export function periodText(from: number, to: number): string {
  // Against time 0 every moment is "another year": day, month, year and time, always.
  return `${formatTime(from, 0)} – ${formatTime(to, 0)}`;
}

/**
 * "3d 4h (9%, since 2 Dec 06:57)": the time a router's figure really speaks for. A site's is its
 * routers' combined time, said as a share of their router-time.
 */
export function coveredCell(c: Covered, period: number, routers = 1): Child {
  if (c.coveredMs === 0) return h('span', { class: 'muted' }, 'not covered');
  const share = coverageShare(c, period, routers);
  if (routers > 1 || c.coveredFrom === null) {
    const pct = share >= 0.99 ? 100 : Math.max(1, Math.floor(share * 100));
    return h('span', { class: share < 0.99 ? 'covered partial' : 'covered' }, `${pct}% of router-time`);
  }
  return h(
    'span',
    { class: share < 0.99 ? 'covered partial' : 'covered' },
    formatDuration(c.coveredMs / 1000),
    share < 0.99
      ? h(
          'span',
          { class: 'muted' },
          ` (${Math.max(1, Math.floor(share * 100))}%, since ${formatTime(c.coveredFrom)})`,
        )
      : null,
  );
}

/** Period buttons, CSV links: the report's toolbar. */
export function reportToolbar(state: ReportState, links: Array<[string, string]>): HTMLElement {
  return h(
    'div',
    { class: 'toolbar report-toolbar' },
    segmented(
      'Period',
      PERIODS.map((p) => ({ value: p.value, label: p.label })),
      state.period,
      (period) => navigate(`/reports${stateQuery({ ...state, period })}`),
    ),
    h('span', { class: 'grow' }),
    h(
      'span',
      { class: 'csv-links' },
      'CSV: ',
      links.map(([label, href], i) => [
        i > 0 ? ' · ' : null,
        h('a', { href, download: '', 'data-csv': label.toLowerCase() }, label),
      ]),
    ),
  );
}

/**
 * The period line and the tiles of a report's head: availability, the share of the period covered
 * (of `routers` routers), the outages, then the view's own tiles (`more`).
 */
export function reportHead(
  report: { from: number; to: number },
  c: Covered & { outages: number },
  text: { availability: string; covered: string; share: number },
  more: Child[] = [],
): HTMLElement[] {
  return [
    h(
      'p',
      { class: 'muted report-period', 'data-testid': 'report-period' },
      `${periodText(report.from, report.to)} · ${METHOD_NOTE}`,
    ),
    h(
      'div',
      { class: 'grid stats report-stats' },
      stat('Availability', availabilityCell(c.availability), {
        tone: c.availability === null ? undefined : (availabilityTone(c.availability) as 'ok'),
        sub: text.availability,
        id: 'availability',
      }),
      stat('Covered', `${Math.round(text.share * 100)}%`, { sub: text.covered, id: 'covered' }),
      stat('Outages', formatCount(c.outages), {
        sub: `${formatDuration(c.downtimeMs / 1000)} in all`,
        id: 'outages',
      }),
      ...more,
    ),
  ];
}

/** What the figures mean, in one sentence the page always shows. */
export const METHOD_NOTE =
  'Availability is the time a router was up divided by the time its status was known (covered) in the period, ' +
  'from the stored status history. Time before a router was first seen counts as unknown, not as up.';
