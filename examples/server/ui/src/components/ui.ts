import { type Child, h } from '../lib/dom.js';
import { STATUS_LABEL } from '../lib/format.js';
import { historyRange, RANGES, type RangeChoice } from '../lib/ranges.js';

/** A status badge: colour and a word (never colour alone, for colour-blind operators). */
export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge ${status}` }, STATUS_LABEL[status] ?? status);
}

/** A severity badge. */
export function severityBadge(severity: string | undefined): HTMLElement {
  const s = severity ?? 'none';
  const cls = s === 'critical' || s === 'error' ? 'bad' : s === 'warning' ? 'warn' : 'unknown';
  return h('span', { class: `badge ${cls}` }, s);
}

/** A card with a title and content. */
export function card(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('header', null, h('h2', null, title)), ...children);
}

/** A big number with a caption. `tone` colours its edge. */
export function stat(
  label: string,
  value: Child,
  opts: { tone?: 'ok' | 'warn' | 'bad' | 'info'; sub?: Child; href?: string; id?: string } = {},
): HTMLElement {
  const body = [
    h('h3', null, label),
    h('div', { class: 'value' }, value),
    opts.sub ? h('div', { class: 'sub' }, opts.sub) : null,
  ];
  const cls = `card stat ${opts.tone ?? ''}`;
  return opts.href
    ? h('a', { class: cls, href: opts.href, 'data-stat': opts.id }, ...body)
    : h('div', { class: cls, 'data-stat': opts.id }, ...body);
}

/** A short message at the bottom of the screen. */
export function toast(message: string): void {
  const el = h('div', { class: 'toast', role: 'status' }, message);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}

/** A segmented control (range pickers). Returns the element; `onChange` gets the chosen value. */
export function segmented(
  label: string,
  options: Array<{ value: string; label: string }>,
  value: string,
  onChange: (v: string) => void,
): HTMLElement {
  const el = h('div', { class: 'seg', role: 'group', 'aria-label': label });
  const buttons = options.map((o) =>
    h(
      'button',
      {
        type: 'button',
        'aria-pressed': String(o.value === value),
        onclick: () => {
          for (const b of buttons) b.setAttribute('aria-pressed', String(b === btnFor(o.value)));
          onChange(o.value);
        },
      },
      o.label,
    ),
  );
  const btnFor = (v: string) => buttons[options.findIndex((o) => o.value === v)];
  el.append(...buttons);
  return el;
}

/** Gets the range a picker's choice stands for. */
type OnRange = (range: RangeChoice) => void;

/** A history page's range picker: a choice sets `?range=` in the URL at `path` and goes to `pick`. */
export function historyRangePicker(now: RangeChoice, path: string, pick: OnRange): HTMLElement {
  const options = RANGES.map((r) => ({ value: r.value, label: r.label }));
  return segmented('Time range', options, now.value, (v) => {
    history.replaceState(null, '', `${path}?range=${v}`);
    pick(historyRange(v));
  });
}

/** A simple table from rows: `columns` say the header, how to render a cell, and alignment. */
export function table<T>(
  rows: T[],
  columns: Array<{ title: string; cell: (row: T) => Child; num?: boolean; nowrap?: boolean }>,
  empty = 'Nothing to show.',
  opts: { cards?: boolean; rowClass?: (row: T) => string | undefined } = {},
): HTMLElement {
  if (rows.length === 0) return h('div', { class: 'empty' }, empty);
  const cls = (c: { num?: boolean; nowrap?: boolean }) =>
    [c.num ? 'num' : '', c.nowrap ? 'nowrap' : ''].filter(Boolean).join(' ') || undefined;
  return h(
    'div',
    { class: 'tbl-wrap' },
    h(
      'table',
      // `cards`: on phones each row becomes a card of label/value lines (no sideways scrolling).
      { class: opts.cards ? 'tbl tbl-cards' : 'tbl' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          columns.map((c) => h('th', { class: cls(c), scope: 'col' }, c.title)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r) =>
          h(
            'tr',
            { class: opts.rowClass?.(r) },
            columns.map((c) =>
              // In cards, the label and the value are the two sides of a line: one element each.
              h(
                'td',
                { class: cls(c), 'data-label': c.title },
                opts.cards ? h('span', null, c.cell(r)) : c.cell(r),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
