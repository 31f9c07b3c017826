import { type Child, h } from '../lib/dom.js';

/** A column of a report table. `id` is what the URL's sort names. */
export interface ReportColumn<T, K extends string> {
  id: K;
  title: string;
  cell: (row: T) => Child;
  num?: boolean;
}

/** The first rows drawn at once; the rest on request (10,000 routers stay quick to show). */
const FIRST_ROWS = 500;

/**
 * A table whose headers sort it: a button per header (keyboard and screen readers), `aria-sort`
 * on the sorted one. Sorting is the page's job (it keeps the order in the URL): `onSort` gets the
 * column and direction clicked. Cells carry `data-label`, so phones show each row as a card.
 */
export function reportTable<T, K extends string>(opts: {
  label: string;
  rows: T[];
  columns: Array<ReportColumn<T, K>>;
  sort: K;
  desc: boolean;
  onSort: (by: K, desc: boolean) => void;
  empty: string;
  testid: string;
}): HTMLElement {
  if (opts.rows.length === 0) return h('div', { class: 'empty' }, opts.empty);
  const head = opts.columns.map((c) => {
    const sorted = c.id === opts.sort;
    const next = sorted ? !opts.desc : false;
    return h(
      'th',
      {
        scope: 'col',
        class: c.num ? 'num' : undefined,
        'aria-sort': sorted ? (opts.desc ? 'descending' : 'ascending') : undefined,
      },
      h(
        'button',
        {
          type: 'button',
          class: 'sort-btn',
          'data-sort': c.id,
          onclick: () => opts.onSort(c.id, next),
          'aria-label': `Sort by ${c.title}${sorted ? (opts.desc ? ', now descending' : ', now ascending') : ''}`,
        },
        c.title,
        sorted ? h('span', { 'aria-hidden': 'true' }, opts.desc ? ' ▼' : ' ▲') : null,
      ),
    );
  });
  const body = h('tbody');
  const draw = (rows: T[]) => {
    for (const r of rows)
      body.append(
        h(
          'tr',
          null,
          opts.columns.map((c) =>
            h('td', { class: c.num ? 'num' : undefined, 'data-label': c.title }, c.cell(r)),
          ),
        ),
      );
  };
  draw(opts.rows.slice(0, FIRST_ROWS));
  const rest = opts.rows.length - FIRST_ROWS;
  const more =
    rest > 0
      ? h(
          'button',
          {
            type: 'button',
            class: 'more-rows',
            onclick: (e: Event) => {
              draw(opts.rows.slice(FIRST_ROWS));
              (e.currentTarget as HTMLElement).remove();
            },
          },
          `Show ${rest.toLocaleString('en-US')} more`,
        )
      : null;
  return h(
    'div',
    { class: 'tbl-wrap report-table', 'data-testid': opts.testid },
    h('table', { class: 'tbl', 'aria-label': opts.label }, h('thead', null, h('tr', null, head)), body),
    more,
  );
}
