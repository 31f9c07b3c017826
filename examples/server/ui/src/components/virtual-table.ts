import { type Child, h } from '../lib/dom.js';
import { sortBy } from '../lib/series.js';

/** A column of the virtual table. */
export interface Column<T> {
  id: string;
  title: string;
  /** CSS grid track, e.g. `minmax(140px, 2fr)` or `90px`. */
  width: string;
  cell: (row: T) => Child;
  /** The value to sort by; absent = not sortable. */
  sort?: (row: T) => unknown;
  num?: boolean;
  /** Hidden on phones. */
  wide?: boolean;
}

/** A mounted table: give it rows (already filtered), it sorts and renders the visible ones. */
export interface VirtualTable<T> {
  el: HTMLElement;
  setRows(rows: T[]): void;
  /** Re-renders the rows on screen (new metric values arrived). */
  redraw(): void;
  destroy(): void;
}

const OVERSCAN = 8;

/**
 * A table that stays fluid with tens of thousands of rows: only the rows in view (plus a few)
 * exist in the DOM, placed absolutely inside a spacer as tall as all rows. Each row is a link,
 * so Tab reaches it and Enter opens it. `onVisible` tells the page which rows are on screen
 * (to fetch their sparklines lazily).
 */
export function virtualTable<T>(opts: {
  columns: Array<Column<T>>;
  href: (row: T) => string;
  key: (row: T) => string;
  label: string;
  rowHeight?: number;
  initialSort?: { id: string; dir: 'asc' | 'desc' };
  onVisible?: (rows: T[]) => void;
  empty?: string;
}): VirtualTable<T> {
  const rowH = opts.rowHeight ?? 40;
  let rows: T[] = [];
  let sorted: T[] = [];
  let sort = opts.initialSort;
  const narrow = matchMedia('(max-width: 800px)');
  const visibleCols = () => opts.columns.filter((c) => !(c.wide && narrow.matches));

  const head = h('div', { class: 'vt-head', role: 'row' });
  const spacer = h('div', { role: 'rowgroup', style: 'position:relative' });
  const scroller = h('div', { class: 'vt-scroll', tabindex: '-1' }, spacer);
  const status = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  const el = h('div', { class: 'vt card', role: 'table', 'aria-label': opts.label }, head, scroller, status);

  const setCols = () => {
    el.style.setProperty(
      '--vt-cols',
      visibleCols()
        .map((c) => c.width)
        .join(' '),
    );
  };

  const renderHead = () => {
    setCols();
    head.replaceChildren(
      ...visibleCols().map((c) => {
        if (!c.sort)
          return h('span', { role: 'columnheader', class: c.num ? 'vt-th num' : 'vt-th' }, c.title);
        const dir = sort?.id === c.id ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined;
        return h(
          'span',
          { role: 'columnheader', 'aria-sort': dir ?? 'none' },
          h(
            'button',
            {
              type: 'button',
              class: c.num ? 'num' : undefined,
              'aria-sort': dir,
              'aria-label': `Sort by ${c.title}`,
              onclick: () => {
                // Numbers start descending (busiest first), text ascending (A→Z).
                const first = c.num ? 'desc' : 'asc';
                sort =
                  sort?.id === c.id
                    ? { id: c.id, dir: sort.dir === 'asc' ? 'desc' : 'asc' }
                    : { id: c.id, dir: first };
                applySort();
                renderHead();
                (head.querySelector(`[aria-label="Sort by ${c.title}"]`) as HTMLElement | null)?.focus();
              },
            },
            c.title,
          ),
        );
      }),
    );
  };

  const applySort = () => {
    const col = opts.columns.find((c) => c.id === sort?.id);
    sorted = col?.sort && sort ? sortBy(rows, col.sort, sort.dir) : rows;
    spacer.style.height = `${sorted.length * rowH}px`;
    status.textContent = `${sorted.length} rows`;
    lastRange = '';
    renderRows();
  };

  let lastRange = '';
  let frame = 0;
  const renderRows = () => {
    frame = 0;
    const top = scroller.scrollTop;
    const height = scroller.clientHeight || 600;
    const start = Math.max(0, Math.floor(top / rowH) - OVERSCAN);
    const end = Math.min(sorted.length, Math.ceil((top + height) / rowH) + OVERSCAN);
    const range = `${start}:${end}`;
    if (range === lastRange) return;
    lastRange = range;
    if (sorted.length === 0) {
      spacer.replaceChildren(h('div', { class: 'empty' }, opts.empty ?? 'No rows.'));
      return;
    }
    const cols = visibleCols();
    const out: HTMLElement[] = [];
    for (let i = start; i < end; i++) {
      const row = sorted[i] as T;
      out.push(
        h(
          'a',
          {
            class: 'vt-row',
            role: 'row',
            href: opts.href(row),
            'data-key': opts.key(row),
            'aria-rowindex': String(i + 2),
            style: `top:${i * rowH}px`,
          },
          cols.map((c) => h('span', { role: 'cell', class: c.num ? 'num' : undefined }, c.cell(row))),
        ),
      );
    }
    spacer.replaceChildren(...out);
    opts.onVisible?.(sorted.slice(start, end));
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(renderRows);
  };
  scroller.addEventListener('scroll', schedule, { passive: true });
  const ro = new ResizeObserver(() => {
    lastRange = '';
    schedule();
  });
  ro.observe(scroller);
  const onNarrow = () => {
    renderHead();
    lastRange = '';
    schedule();
  };
  narrow.addEventListener('change', onNarrow);
  renderHead();

  return {
    el,
    setRows(next) {
      rows = next;
      applySort();
    },
    redraw() {
      lastRange = '';
      renderRows();
    },
    destroy() {
      ro.disconnect();
      narrow.removeEventListener('change', onNarrow);
      if (frame) cancelAnimationFrame(frame);
    },
  };
}
