import { type Child, h } from '../lib/dom.js';
import { formatBps, formatPercent } from '../lib/format.js';
import { sortBy } from '../lib/series.js';
import { cssVar } from '../lib/theme.js';
import type { InterfaceTableRow, PortState } from './interface-data.js';
import type { TableSort } from './interface-url.js';
import { sizedContext } from './sparkline.js';

/** Rows drawn at once: a BNG lists thousands of session interfaces; the filter finds the rest. */
const MAX_ROWS = 400;

const STATE_RANK: Record<PortState, number> = { down: 0, unknown: 1, 'admin-down': 2, up: 3 };
const STATE_TEXT: Record<PortState, string> = {
  up: 'up',
  down: 'down',
  'admin-down': 'admin down',
  unknown: 'unknown',
};
const STATE_CLASS: Record<PortState, string> = {
  up: 'ok',
  down: 'bad',
  'admin-down': 'admin',
  unknown: 'unknown',
};

const sum = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));
const mean = (xs: Array<number | null>) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
};

/** Per-second counts as people read them: 0, 0.05/s, 12/s, 1.2k/s. */
export function formatPerSec(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  if (v < 0.01) return '<0.01/s';
  if (v < 10) return `${v.toFixed(2)}/s`;
  if (v < 1000) return `${v.toFixed(0)}/s`;
  return `${(v / 1000).toFixed(1)}k/s`;
}

const utilCell = (u: number | null, speed: number | null): Child => {
  if (u === null) return h('span', { class: 'muted', title: speed ? 'no rate yet' : 'speed unknown' }, '–');
  const tone = u >= 0.9 ? 'bad' : u >= 0.7 ? 'warn' : '';
  return h(
    'div',
    { class: 'util' },
    formatPercent(u),
    h('div', { class: `bar ${tone}` }, h('i', { style: `width:${(u * 100).toFixed(1)}%` })),
  );
};

const pair = (a: number | null, b: number | null): Child => {
  const busy = (a ?? 0) > 0 || (b ?? 0) > 0;
  return h('span', { class: busy ? 'ifc-warn' : undefined }, `${formatPerSec(a)} / ${formatPerSec(b)}`);
};

/** A column: its header, its URL key, how it sorts and how it draws. */
interface Column {
  key: string;
  title: string;
  num?: boolean;
  sort: (r: InterfaceTableRow, charted: Set<string>) => unknown;
  cell: (
    r: InterfaceTableRow,
    ctx: { charted: Set<string>; toggle: (name: string, on: boolean) => void },
  ) => Child;
}

const COLUMNS: Column[] = [
  {
    key: 'chart',
    title: 'Chart',
    sort: (r, c) => (c.has(r.name) ? 0 : 1),
    cell: (r, ctx) =>
      h('input', {
        type: 'checkbox',
        'aria-label': `Chart ${r.name}`,
        checked: ctx.charted.has(r.name),
        onchange: (e: Event) => ctx.toggle(r.name, (e.target as HTMLInputElement).checked),
      }),
  },
  {
    key: 'name',
    title: 'Interface',
    sort: (r) => r.name,
    cell: (r) =>
      h(
        'div',
        { class: 'ifc-name' },
        h('strong', null, r.name),
        r.uplink ? h('span', { class: 'badge plain uplink' }, 'uplink') : null,
        r.alias || (r.description && r.description !== r.name)
          ? h('div', { class: 'muted small' }, r.alias ?? r.description)
          : null,
      ),
  },
  {
    key: 'state',
    title: 'State',
    sort: (r) => STATE_RANK[r.state],
    cell: (r) =>
      h('span', { class: `badge ${STATE_CLASS[r.state]}`, 'data-state': r.state }, STATE_TEXT[r.state]),
  },
  {
    key: 'speed',
    title: 'Speed',
    num: true,
    sort: (r) => r.speedBps,
    cell: (r) => (r.speedBps ? formatBps(r.speedBps) : h('span', { class: 'muted' }, 'unknown')),
  },
  { key: 'inBps', title: 'In', num: true, sort: (r) => r.inBps, cell: (r) => formatBps(r.inBps) },
  { key: 'outBps', title: 'Out', num: true, sort: (r) => r.outBps, cell: (r) => formatBps(r.outBps) },
  {
    key: 'inUtil',
    title: 'In %',
    num: true,
    sort: (r) => r.inUtil,
    cell: (r) => utilCell(r.inUtil, r.speedBps),
  },
  {
    key: 'outUtil',
    title: 'Out %',
    num: true,
    sort: (r) => r.outUtil,
    cell: (r) => utilCell(r.outUtil, r.speedBps),
  },
  {
    key: 'errors',
    title: 'Errors in/out',
    num: true,
    sort: (r) => sum(r.inErrorsPerSec, r.outErrorsPerSec),
    cell: (r) => pair(r.inErrorsPerSec, r.outErrorsPerSec),
  },
  {
    key: 'discards',
    title: 'Discards in/out',
    num: true,
    sort: (r) => sum(r.inDiscardsPerSec, r.outDiscardsPerSec),
    cell: (r) => pair(r.inDiscardsPerSec, r.outDiscardsPerSec),
  },
  {
    key: 'traffic',
    title: 'Last hour',
    sort: (r) => mean(r.sparkIn.map((v, i) => sum(v, r.sparkOut[i] ?? null))),
    cell: (r) =>
      h('canvas', {
        class: 'ifc-spark',
        'data-if': r.name,
        role: 'img',
        'aria-label': `Traffic of ${r.name} over the last hour`,
      }),
  },
];

/** Draws in (filled) and out (line) on one small canvas, on a shared scale. */
function drawSpark(
  canvas: HTMLCanvasElement,
  ins: Array<number | null>,
  outs: Array<number | null>,
  [w, hh]: [number, number],
  colours: { in: string; out: string },
): void {
  const ctx = sizedContext(canvas, w, hh);
  if (!ctx) return;
  const vals = [...ins, ...outs].filter((v): v is number => v !== null && Number.isFinite(v));
  canvas.dataset.points = String(vals.length);
  if (vals.length === 0) return;
  const max = Math.max(...vals) || 1;
  const n = Math.max(ins.length, outs.length);
  const x = (i: number) => (n <= 1 ? 0 : (i / (n - 1)) * w);
  const y = (v: number) => hh - 2 - (v / max) * (hh - 4);
  const line = (vs: Array<number | null>, color: string, fill: boolean) => {
    ctx.beginPath();
    let pen = false;
    vs.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(x(i), y(v));
      else ctx.moveTo(x(i), y(v));
      pen = true;
    });
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.3;
    ctx.stroke();
    if (fill) {
      ctx.lineTo(w, hh);
      ctx.lineTo(0, hh);
      ctx.globalAlpha = 0.15;
      ctx.fillStyle = color;
      ctx.fill();
      ctx.globalAlpha = 1;
    }
  };
  line(ins, colours.in, false);
  line(outs, colours.out, false);
}

/**
 * The interface table: every column sorts (click the header; again for the other direction),
 * the sort is reported so the page keeps it in the URL. Rows keep the server's order until a
 * sort is chosen (uplinks first). Checkboxes choose the charted interfaces.
 */
export function interfaceTable(opts: {
  rows: InterfaceTableRow[];
  filter: string;
  sort: TableSort | undefined;
  charted: Set<string>;
  onSort: (sort: TableSort | undefined) => void;
  onToggle: (name: string, on: boolean) => void;
}): HTMLElement {
  const needle = opts.filter.trim().toLowerCase();
  const matched = opts.rows.filter(
    (r) =>
      !needle ||
      `${r.name} ${r.alias ?? ''} ${r.description ?? ''} ${r.state}`.toLowerCase().includes(needle),
  );
  const col = COLUMNS.find((c) => c.key === opts.sort?.key);
  const sorted =
    col && opts.sort ? sortBy(matched, (r) => col.sort(r, opts.charted), opts.sort.dir) : matched;
  const shown = sorted.slice(0, MAX_ROWS);
  const ctx = { charted: opts.charted, toggle: opts.onToggle };
  const header = COLUMNS.map((c) => {
    const active = opts.sort?.key === c.key;
    const ariaSort = active ? (opts.sort?.dir === 'asc' ? 'ascending' : 'descending') : 'none';
    return h(
      'th',
      { class: c.num ? 'num' : undefined, scope: 'col', 'aria-sort': ariaSort, 'data-key': c.key },
      h(
        'button',
        {
          type: 'button',
          class: 'ifc-sort',
          onclick: () => {
            // Numbers start with the largest (the busiest port), text from A.
            const first = c.num || c.key === 'traffic' ? 'desc' : 'asc';
            const dir = active ? (opts.sort?.dir === 'asc' ? 'desc' : 'asc') : first;
            opts.onSort({ key: c.key, dir });
          },
        },
        c.title,
      ),
    );
  });
  const body = shown.map((r) =>
    h(
      'tr',
      { 'data-if': r.name, class: r.uplink ? 'ifc-uplink' : undefined },
      COLUMNS.map((c) =>
        h(
          'td',
          { class: c.num ? 'num' : undefined, 'data-label': c.title, 'data-key': c.key },
          c.cell(r, ctx),
        ),
      ),
    ),
  );
  const el = h(
    'div',
    { class: 'tbl-wrap' },
    h(
      'table',
      { class: 'tbl tbl-cards ifc-table', 'data-testid': 'interface-table' },
      h('thead', null, h('tr', null, header)),
      h('tbody', null, body),
    ),
    sorted.length > shown.length
      ? h(
          'p',
          { class: 'muted' },
          `${shown.length} of ${sorted.length} interfaces shown: filter to find the others.`,
        )
      : null,
    matched.length === 0
      ? h(
          'div',
          { class: 'empty' },
          opts.rows.length === 0
            ? 'No interface reported yet (the first poll may still be on its way).'
            : 'No interface matches.',
        )
      : null,
  );
  // Sparklines need their laid-out width, and come after the page's first paint: drawn once the
  // next frame is on screen (a task queued from the frame runs after it is painted).
  requestAnimationFrame(() =>
    setTimeout(() => {
      const byName = new Map(shown.map((r) => [r.name, r]));
      const canvases = [...el.querySelectorAll<HTMLCanvasElement>('canvas.ifc-spark')];
      // Every size is read before any canvas is drawn: a size read after a canvas was resized makes
      // the browser lay the page out again, once per row.
      const sizes = canvases.map((c): [number, number] => [c.clientWidth || 120, c.clientHeight || 26]);
      // The theme's colours read once for every row (each read is a style lookup).
      const colours = { in: cssVar('--chart-in'), out: cssVar('--chart-out') };
      canvases.forEach((c, i) => {
        const r = byName.get(c.dataset.if ?? '');
        if (r) drawSpark(c, r.sparkIn, r.sparkOut, sizes[i] as [number, number], colours);
      });
    }, 0),
  );
  return el;
}

/** Ticks the chart checkbox of exactly the `charted` rows of a drawn table (no redraw). */
export function markCharted(el: ParentNode, charted: Set<string>): void {
  for (const box of el.querySelectorAll<HTMLInputElement>('tr[data-if] td[data-key="chart"] input')) {
    box.checked = charted.has(box.closest('tr')?.dataset.if ?? '');
  }
}
