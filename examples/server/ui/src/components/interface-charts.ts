import { h, mount } from '../lib/dom.js';
import { formatBps } from '../lib/format.js';
import { align, type Point, rangeStats } from '../lib/series.js';
import { type Chart, lineChart } from './chart.js';
import { fetchInterfaceSeries, type InterfaceSeries, type InterfaceSeriesResult } from './interface-data.js';
import { formatPerSec } from './interface-table.js';
import { stepLabel } from './interface-url.js';

/** One crosshair for every chart of the router page's interfaces. */
const SYNC = 'router-interfaces';

/** What the charts show: a preset range (relative) or a zoomed window (absolute). */
export interface ChartWindow {
  from: string | number;
  to?: number;
  step: string | number;
}

/** An interface to chart, with what its card says besides the name. */
export interface ChartedInterface {
  name: string;
  alias?: string;
  speedBps: number | null;
  uplink: boolean;
  state: string;
}

/** The stats line of one direction: max, average and 95th percentile over the shown window. */
function statsText(label: string, points: Point[], window: [number, number] | undefined): string {
  const s = rangeStats(points, window);
  if (!s) return `${label}: no data`;
  return `${label}: max ${formatBps(s.max)} · avg ${formatBps(s.avg)} · 95th ${formatBps(s.p95)}`;
}

/**
 * The charts of the chosen interfaces, in the order given (uplinks first): per interface a
 * traffic chart (in/out bits/s) with max/avg/95th of the window, and its errors and discards per
 * second on the same time axis. All share one crosshair; a drag on any of them zooms all of them
 * through `onZoom` (the page puts the window in the URL and asks for finer data). One request
 * for every series of every chart. The grid's `data-state` is `ready` once data is drawn.
 */
export function interfaceCharts(opts: {
  router: string;
  interfaces: ChartedInterface[];
  window: ChartWindow;
  onZoom: (window: [number, number] | undefined) => void;
  signal: AbortSignal;
  /** The series, when already asked for (the page's first, default choice). */
  data?: Promise<InterfaceSeriesResult>;
}): {
  el: HTMLElement;
  destroy(): void;
  /** Settles once the charts show their data (or say why they cannot). */
  drawn: Promise<void>;
} {
  const charts: Chart[] = [];
  const grid = h('div', {
    class: 'charts ifc-charts',
    'data-testid': 'interface-charts',
    'data-state': 'loading',
  });
  const destroy = () => {
    for (const c of charts.splice(0)) c.destroy();
  };
  if (opts.interfaces.length === 0) {
    mount(grid, h('p', { class: 'muted' }, 'No interface charted: tick one in the table below.'));
    grid.dataset.state = 'ready';
    return { el: grid, destroy, drawn: Promise.resolve() };
  }
  // Asked for before the charts are built: the request overlaps building them.
  const w = opts.window;
  const data =
    opts.data ??
    fetchInterfaceSeries(
      opts.router,
      opts.interfaces.map((i) => i.name),
      { from: w.from, to: w.to, step: w.step },
      opts.signal,
    );
  const cards = opts.interfaces.map((i) => {
    const traffic = lineChart({
      lines: [
        { label: 'In', color: '--chart-in', fill: true },
        { label: 'Out', color: '--chart-out' },
      ],
      format: formatBps,
      height: 190,
      label: `Traffic of ${i.name}`,
      sync: SYNC,
      onZoom: opts.onZoom,
    });
    const faults = lineChart({
      lines: [
        { label: 'Errors in', color: '--bad' },
        { label: 'Errors out', color: '--bad', dash: true },
        { label: 'Discards in', color: '--warn' },
        { label: 'Discards out', color: '--warn', dash: true },
      ],
      format: (v) => formatPerSec(v),
      height: 120,
      label: `Errors and discards of ${i.name}`,
      sync: SYNC,
      onZoom: opts.onZoom,
    });
    charts.push(traffic, faults);
    const stats = h('p', { class: 'ifc-stats', 'data-testid': 'if-stats' }, 'Loading…');
    const card = h(
      'section',
      { class: 'card ifc-card', 'data-interface': i.name, 'data-uplink': String(i.uplink) },
      h(
        'div',
        { class: 'chart-title' },
        h('h2', null, i.name),
        i.uplink ? h('span', { class: 'badge plain uplink' }, 'uplink') : null,
        i.state !== 'up'
          ? h('span', { class: `badge ${i.state === 'down' ? 'bad' : 'admin'}` }, i.state)
          : null,
        h(
          'span',
          { class: 'muted' },
          [i.alias, i.speedBps ? formatBps(i.speedBps) : 'speed unknown'].filter(Boolean).join(' · '),
        ),
      ),
      traffic.el,
      stats,
      h('h3', { class: 'ifc-sub' }, 'Errors and discards per second'),
      faults.el,
    );
    return { i, traffic, faults, stats, card };
  });
  grid.replaceChildren(...cards.map((c) => c.card));

  const drawn = data
    .then((res) => {
      if (opts.signal.aborted) return;
      const byName = new Map<string, InterfaceSeries>(res.items.map((s) => [s.ifName, s]));
      const win: [number, number] = [res.from, res.to];
      for (const c of cards) {
        const s = byName.get(c.i.name);
        c.traffic.setData(align([s?.in ?? [], s?.out ?? []]) as never, win);
        c.faults.setData(
          align([s?.inErrors ?? [], s?.outErrors ?? [], s?.inDiscards ?? [], s?.outDiscards ?? []]) as never,
          win,
        );
        c.stats.textContent = `${statsText('In', s?.in ?? [], win)}  |  ${statsText('Out', s?.out ?? [], win)}  (${stepLabel(res.step)} averages)`;
      }
      grid.dataset.state = 'ready';
      grid.dataset.from = String(res.from);
      grid.dataset.to = String(res.to);
    })
    .catch((err: Error) => {
      if (opts.signal.aborted) return;
      for (const c of cards) c.stats.textContent = `Charts are not available: ${err.message}`;
      grid.dataset.state = 'ready';
    });
  return { el: grid, destroy, drawn };
}
