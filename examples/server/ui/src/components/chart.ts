import type uPlot from 'uplot';
import { h } from '../lib/dom.js';
import { cssVar, onThemeChange } from '../lib/theme.js';

/** uPlot, loaded on first use: pages draw their figures before the chart library has arrived. */
let library: Promise<typeof uPlot> | undefined;
const loadUPlot = () => {
  library ??= import('uplot').then((m) => m.default);
  return library;
};

/** Starts loading the chart library now (a page that will chart, while it waits for its data). */
export function preloadCharts(): void {
  void loadUPlot().catch(() => {
    library = undefined;
  });
}

/** Charts off the first screen, built one per idle moment once the first screen's are drawn. */
const offscreen: Array<() => void> = [];
let draining = false;
const idle: (fn: () => void) => void =
  typeof requestIdleCallback === 'function'
    ? (fn) => requestIdleCallback(fn, { timeout: 500 })
    : (fn) => setTimeout(fn, 30);
function buildLater(fn: () => void): void {
  offscreen.push(fn);
  if (draining) return;
  draining = true;
  const next = () => {
    offscreen.shift()?.();
    if (offscreen.length > 0) idle(next);
    else draining = false;
  };
  idle(next);
}

/** One line of a chart. `color` is a CSS variable name (so the theme decides). */
export interface LineSpec {
  label: string;
  color: string;
  fill?: boolean;
  /** Dashed (second line of the same colour: "out" beside "in"). */
  dash?: boolean;
}

/** A mounted chart: set new data, destroy on unmount. */
export interface Chart {
  el: HTMLElement;
  /** New data; `window` (epoch ms) pins the x axis to the range asked for, however few points. */
  setData(data: uPlot.AlignedData, window?: [number, number]): void;
  destroy(): void;
}

/**
 * A time-series chart on uPlot: drag to zoom (double-click resets), legend shows the values
 * under the cursor, redraws on resize and on theme change. `format` formats axis and legend values.
 * Charts given the same `sync` key share one crosshair (hovering one shows the same instant on
 * all). With `onZoom` the chart does not zoom itself: it reports the dragged window (epoch ms), or
 * undefined on double-click, and the page decides (all charts, the URL, finer data).
 */
export function lineChart(opts: {
  lines: LineSpec[];
  format: (v: number) => string;
  height?: number;
  label: string;
  sync?: string;
  onZoom?: (window: [number, number] | undefined) => void;
}): Chart {
  const empty = h('div', { class: 'chart-empty' }, 'No data in this range yet');
  const el = h(
    'div',
    {
      class: 'chart',
      role: 'img',
      'aria-label': opts.label,
      'data-sync': opts.sync,
      // Holds the chart's place until it is built, so nothing below it moves when it is.
      style: `min-height:${opts.height ?? 220}px`,
    },
    empty,
  );
  let plot: uPlot | undefined;
  let data: uPlot.AlignedData = [[], ...opts.lines.map(() => [])];

  let destroyed = false;
  let building = false;
  // Nothing is drawn before the first data: an empty chart drawn first would be drawn again at
  // once, and would hold up the page while the data it waits for arrives.
  let hasData = false;
  const build = () => {
    if (building || !hasData) return;
    building = true;
    void loadUPlot().then((U) => {
      building = false;
      if (!destroyed) draw(U);
    });
  };
  const draw = (U: typeof uPlot) => {
    plot?.destroy();
    const text = cssVar('--muted');
    const grid = cssVar('--chart-grid');
    // The resize observer's width: reading clientWidth here would lay the page out again for
    // every chart built after another one changed it.
    const width = Math.max(200, lastWidth || el.clientWidth || el.parentElement?.clientWidth || 600);
    const axis = (values?: uPlot.Axis['values']): uPlot.Axis => ({
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      font: '11px system-ui, sans-serif',
      ...(values ? { values } : {}),
    });
    plot = new U(
      {
        width,
        height: opts.height ?? 220,
        cursor: {
          drag: { x: true, y: false, setScale: !opts.onZoom },
          ...(opts.sync ? { sync: { key: opts.sync } } : {}),
        },
        hooks: opts.onZoom ? { setSelect: [(u: uPlot) => zoomed(u)] } : {},
        scales: { x: { time: true } },
        axes: [
          axis(),
          { ...axis((_u, vals) => vals.map((v) => (v === null ? '' : opts.format(v)))), size: 70 },
        ],
        series: [
          {},
          ...opts.lines.map((l) => {
            const stroke = cssVar(l.color);
            return {
              label: l.label,
              stroke,
              width: 1.6,
              fill: l.fill ? `${stroke}22` : undefined,
              ...(l.dash ? { dash: [5, 4] } : {}),
              value: (_u: uPlot, v: number | null) => (v === null ? '–' : opts.format(v)),
            } satisfies uPlot.Series;
          }),
        ],
      },
      data,
      el,
    );
    showWindow();
  };
  // A drag selected a window: hand it to the page, and clear the selection box.
  const zoomed = (u: uPlot) => {
    const sel = u.select;
    if (!opts.onZoom || sel.width < 2) return;
    const a = u.posToVal(sel.left, 'x') * 1000;
    const b = u.posToVal(sel.left + sel.width, 'x') * 1000;
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (Number.isFinite(a) && Number.isFinite(b) && b > a) opts.onZoom([Math.round(a), Math.round(b)]);
  };
  if (opts.onZoom) el.addEventListener('dblclick', () => opts.onZoom?.(undefined));
  let win: [number, number] | undefined;
  const showWindow = () => {
    if (plot && win) plot.setScale('x', { min: win[0] / 1000, max: win[1] / 1000 });
  };

  // Built once the element is in the page, has a width, has data and is on screen (or near it): a chart
  // further down is built after the first screen's, one per idle moment, or at once when
  // scrolled to. Rebuilt on resize.
  let lastWidth = 0;
  let near = false;
  const ro = new ResizeObserver((entries) => {
    // The observer's own measure: reading clientWidth here, after another chart was just built
    // in the same round, would make the browser lay the page out again for each chart.
    const w = Math.round(entries[entries.length - 1]?.contentRect.width ?? el.clientWidth);
    if (!w || w === lastWidth) return;
    lastWidth = w;
    if (!plot) {
      if (near) build();
    } else plot.setSize({ width: w, height: opts.height ?? 220 });
  });
  ro.observe(el);
  const arrive = () => {
    if (near || destroyed) return;
    near = true;
    io.disconnect();
    if (!plot && lastWidth) build();
  };
  const io = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) arrive();
      else buildLater(arrive);
    },
    { rootMargin: '100px 0px' },
  );
  io.observe(el);
  const offTheme = onThemeChange(build);

  return {
    el,
    setData(next, window) {
      data = next;
      hasData = true;
      win = window;
      // How many values are drawn: tests and the benchmark wait for a chart with data.
      let points = 0;
      for (const ys of next.slice(1)) for (const v of ys as Array<number | null>) if (v !== null) points++;
      el.dataset.points = String(points);
      empty.hidden = points > 0;
      if (plot) {
        plot.setData(next);
        showWindow();
      } else if (near && lastWidth) build();
    },
    destroy() {
      destroyed = true;
      ro.disconnect();
      io.disconnect();
      offTheme();
      plot?.destroy();
      plot = undefined;
    },
  };
}
