import { h, mount } from '../lib/dom.js';
import { formatAgo } from '../lib/format.js';
import { type ChartedInterface, type ChartWindow, interfaceCharts } from './interface-charts.js';
import {
  fetchInterfaceSeries,
  fetchInterfaceTable,
  type InterfaceSeriesResult,
  type InterfaceTable,
} from './interface-data.js';
import { interfaceTable, markCharted } from './interface-table.js';
import { defaultCharted, MAX_CHARTED, type RouterView } from './interface-url.js';

/** How often the table's live rates are read again while the page is open. */
const REFRESH_MS = 15_000;

/**
 * The router page's Interfaces tab: charts of the chosen interfaces (uplinks first) above the
 * table of every interface with live rates. The view (charted interfaces, sort) lives in the
 * page's URL: `getView` reads it, `setView` changes it. The table refreshes itself every 15 s.
 */
export function interfacesTab(opts: {
  router: string;
  getView: () => RouterView;
  setView: (patch: Partial<RouterView>) => void;
  /** The chart window of the current view (preset range or zoom). */
  chartWindow: () => ChartWindow;
  onZoom: (window: [number, number] | undefined) => void;
  signal: AbortSignal;
}): {
  el: HTMLElement;
  redrawCharts(): void;
  destroy(): void;
  /** Settles once the first charts are drawn with their data (or could not be). */
  settled: Promise<void>;
} {
  const filter = h('input', {
    type: 'search',
    placeholder: 'Filter interfaces (name, alias, state)',
    'aria-label': 'Filter interfaces',
    class: 'grow',
  });
  const updated = h('span', { class: 'muted small', 'data-testid': 'rates-at' });
  const chartsBox = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const tableBox = h('div', null, h('p', { class: 'muted' }, 'Loading interfaces…'));
  const el = h(
    'div',
    { class: 'grid ifc-tab' },
    chartsBox,
    h('div', { class: 'toolbar' }, filter, updated),
    tableBox,
  );
  let table: InterfaceTable | undefined;
  let charts: { destroy(): void } | undefined;
  let markSettled = () => {};
  const settled = new Promise<void>((resolve) => {
    markSettled = resolve;
  });
  let chartAbort: AbortController | undefined;
  /** The server's default choice, once its first answer came (the table's checkboxes follow it). */
  let chosen: string[] | undefined;

  /** The charted names: the URL's, else the default (uplinks, then the busiest ports). */
  const charted = (): string[] => {
    const v = opts.getView();
    if (v.ifs) return v.ifs;
    return chosen ?? (table ? defaultCharted(table.items) : []);
  };

  // Without interfaces in the URL the server chooses the charted ones itself: their series are
  // asked for now, beside the table, not one round trip after it.
  const first = opts.getView().ifs
    ? undefined
    : fetchInterfaceSeries(opts.router, 'default', opts.chartWindow(), opts.signal);
  /** Whether the first default answer drew the charts; when it did not, the table's choice does. */
  let firstDrawn = false;
  let firstFailed = first === undefined;
  const fallBack = () => {
    firstFailed = true;
    if (!opts.signal.aborted && table && !charts) drawCharts();
  };
  first
    ?.then((res) => {
      if (opts.signal.aborted) return;
      if (opts.getView().ifs || !res.charted) return fallBack();
      chosen = res.charted.map((c) => c.name);
      firstDrawn = true;
      drawCharts(res);
      // A table already drawn changes only its checkboxes (unless it is sorted by them): its
      // rows are not built and laid out a second time.
      if (table && opts.getView().sort?.key === 'chart') drawTable();
      else markCharted(tableBox, new Set(chosen));
    })
    .catch(fallBack);

  const drawTable = () => {
    if (!table) return;
    const v = opts.getView();
    // A refresh must not take the keyboard focus away from the control the user is on.
    const active = document.activeElement as HTMLElement | null;
    const focusRow = active?.closest('tr')?.dataset.if;
    const focusKey = active?.closest('[data-key]')?.getAttribute('data-key');
    const inTable = active !== null && tableBox.contains(active);
    mount(
      tableBox,
      interfaceTable({
        rows: table.items,
        filter: filter.value,
        sort: v.sort,
        charted: new Set(charted()),
        onSort: (sort) => {
          opts.setView({ sort });
          drawTable();
        },
        onToggle: (name, on) => {
          const now = charted();
          const next = on ? [...now.filter((n) => n !== name), name] : now.filter((n) => n !== name);
          opts.setView({ ifs: next.slice(0, MAX_CHARTED) });
          drawCharts();
          drawTable();
        },
      }),
    );
    if (inTable && focusKey) {
      const sel = focusRow
        ? `tr[data-if="${CSS.escape(focusRow)}"] [data-key="${CSS.escape(focusKey)}"]`
        : `th[data-key="${CSS.escape(focusKey)}"]`;
      tableBox.querySelector<HTMLElement>(`${sel} input, ${sel} button`)?.focus();
    }
    updated.textContent = !table.rates
      ? 'No storage: live rates are not available.'
      : table.at
        ? `Rates from the poll ${formatAgo(table.at)}`
        : 'No counters stored yet.';
  };

  /** Draws the charts: from the server's first default answer, or for the current choice. */
  function drawCharts(early?: InterfaceSeriesResult) {
    if (!table && !early) return;
    charts?.destroy();
    chartAbort?.abort();
    chartAbort = new AbortController();
    const s = chartAbort.signal;
    opts.signal.addEventListener('abort', () => chartAbort?.abort(), { once: true });
    let list: ChartedInterface[];
    if (early?.charted) list = early.charted;
    else {
      const rows = new Map((table?.items ?? []).map((r) => [r.name, r]));
      const uplinks = table?.uplinks ?? [];
      // Uplinks first (in the label's order), then the rest in the order they were chosen.
      const names = charted();
      const ordered = [
        ...names.filter((n) => uplinks.includes(n)),
        ...names.filter((n) => !uplinks.includes(n)),
      ];
      list = ordered.map((name) => {
        const r = rows.get(name);
        return {
          name,
          alias: r?.alias ?? r?.description,
          speedBps: r?.speedBps ?? null,
          uplink: uplinks.includes(name),
          state: r?.state ?? 'unknown',
        };
      });
    }
    const c = interfaceCharts({
      router: opts.router,
      interfaces: list,
      window: opts.chartWindow(),
      onZoom: opts.onZoom,
      signal: s,
      ...(early ? { data: Promise.resolve(early) } : {}),
    });
    charts = c;
    mount(chartsBox, c.el);
    void c.drawn.then(markSettled);
  }

  const load = async (isFirst: boolean) => {
    try {
      const t = await fetchInterfaceTable(opts.router, opts.signal);
      if (opts.signal.aborted) return;
      table = t;
      // Charts named by the URL: their data is asked for before the table is drawn, so its
      // request overlaps the table's layout. The default choice's came with the page.
      if (isFirst && firstFailed && !charts) drawCharts();
      drawTable();
    } catch (err) {
      if (opts.signal.aborted) return;
      if (isFirst) {
        mount(
          tableBox,
          h('p', { class: 'muted' }, `Interfaces are not available: ${(err as Error).message}`),
        );
        if (!firstDrawn) mount(chartsBox);
        markSettled();
      }
    }
  };
  filter.addEventListener('input', drawTable);
  void load(true);
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void load(false);
  }, REFRESH_MS);

  return {
    el,
    settled,
    redrawCharts: drawCharts,
    destroy: () => {
      clearInterval(timer);
      chartAbort?.abort();
      charts?.destroy();
    },
  };
}
