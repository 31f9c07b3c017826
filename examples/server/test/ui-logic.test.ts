import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBps,
  formatBytes,
  formatDuration,
  formatPercent,
  severityRank,
} from '../ui/src/lib/format.js';
import {
  fit,
  forceLayout,
  layeredLayout,
  projectGeo,
  spread,
  utilisationClass,
} from '../ui/src/lib/layout.js';
import { RANGES, rangeFor } from '../ui/src/lib/ranges.js';
import {
  align,
  availability,
  compareValues,
  downsample,
  lastValue,
  sortBy,
  sumSeries,
} from '../ui/src/lib/series.js';

describe('ui formatting', () => {
  it('formats rates, bytes, percentages and durations for people', () => {
    expect(formatBps(0)).toBe('0 b/s');
    expect(formatBps(999)).toBe('999 b/s');
    expect(formatBps(1_250_000_000)).toBe('1.25 Gb/s');
    expect(formatBps(45_600_000)).toBe('45.6 Mb/s');
    expect(formatBps(undefined)).toBe('–');
    expect(formatBps(Number.NaN)).toBe('–');
    expect(formatBytes(512 * 1024 * 1024)).toBe('512 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatPercent(0.4234)).toBe('42%');
    expect(formatPercent(0.051)).toBe('5.1%');
    expect(formatPercent(0.001)).toBe('<1%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(40)).toBe('40s');
    expect(formatDuration(312)).toBe('5m 12s');
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 59)).toBe('3d 4h');
    expect(formatDuration(-1)).toBe('–');
    expect(formatAgo(1_000_000 - 2_000, 1_000_000)).toBe('just now');
    expect(formatAgo(1_000_000 - 125_000, 1_000_000)).toBe('2m 5s ago');
    expect(severityRank('critical')).toBeLessThan(severityRank('warning'));
    expect(severityRank('whatever')).toBeGreaterThan(severityRank('info'));
  });
});

describe('ui series shaping', () => {
  it('sums series on their timestamps and aligns them for uPlot with gaps as null', () => {
    const a: Array<[number, number]> = [
      [1000, 1],
      [2000, 2],
    ];
    const b: Array<[number, number]> = [
      [2000, 10],
      [3000, 20],
    ];
    expect(sumSeries([{ points: a }, { points: b }])).toEqual([
      [1000, 1],
      [2000, 12],
      [3000, 20],
    ]);
    expect(align([a, b], 8)).toEqual([
      [1, 2, 3],
      [8, 16, null],
      [null, 80, 160],
    ]);
    expect(
      lastValue([
        [1, 5],
        [2, Number.NaN],
      ]),
    ).toBe(5);
    expect(lastValue([])).toBeUndefined();
  });

  it('computes availability from device_up averages and downsamples for the strip', () => {
    const pts: Array<[number, number]> = [
      [0, 1],
      [1, 1],
      [2, 0.5],
      [3, 0],
      [4, Number.NaN],
    ];
    const a = availability(pts);
    expect(a.ratio).toBeCloseTo(2.5 / 4);
    expect(a.buckets).toEqual(['ok', 'ok', 'part', 'bad', 'none']);
    expect(availability([]).ratio).toBeUndefined();
    const many = Array.from({ length: 1000 }, (_, i) => [i, i < 500 ? 1 : 0] as [number, number]);
    const d = downsample(many, 100);
    expect(d).toHaveLength(100);
    expect(d[0]?.[1]).toBe(1);
    expect(d[99]?.[1]).toBe(0);
  });

  it('sorts naturally with missing values last in both directions', () => {
    const rows = [{ v: 'r10' }, { v: undefined }, { v: 'r2' }, { v: 'R1' }];
    expect(sortBy(rows, (r) => r.v, 'asc').map((r) => r.v)).toEqual(['R1', 'r2', 'r10', undefined]);
    expect(sortBy(rows, (r) => r.v, 'desc').map((r) => r.v)).toEqual(['r10', 'r2', 'R1', undefined]);
    const nums = [{ c: 0.5 }, { c: undefined }, { c: 0.9 }, { c: 0.1 }];
    expect(sortBy(nums, (r) => r.c, 'desc').map((r) => r.c)).toEqual([0.9, 0.5, 0.1, undefined]);
    expect(compareValues(2, 10)).toBeLessThan(0);
    // 10,000 rows sort well within a frame budget is a benchmark matter; here only correctness.
    const big = Array.from({ length: 10_000 }, (_, i) => ({ id: `r-${(i * 7919) % 10_000}` }));
    const sorted = sortBy(big, (r) => r.id, 'asc');
    expect(sorted[0]?.id).toBe('r-0');
    expect(sorted[9_999]?.id).toBe('r-9999');
  });

  it('offers ranges whose steps keep charts to a few hundred points', () => {
    const seconds = (d: string) => {
      const n = Number.parseInt(d.replace(/^-/, ''), 10);
      const unit = d.replace(/^-?\d+/, '');
      return n * ({ s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>)[unit]!;
    };
    for (const r of RANGES) {
      const points = seconds(r.from) / seconds(r.step);
      expect(points, r.value).toBeGreaterThanOrEqual(100);
      expect(points, r.value).toBeLessThanOrEqual(400);
    }
    expect(rangeFor('7d').from).toBe('-7d');
    expect(rangeFor('nonsense').value).toBe('24h');
  });
});

describe('ui topology layout', () => {
  it('projects coordinates with north up and fits them in the view', () => {
    const placed = fit(
      projectGeo([
        { id: 'north', lat: 34.4, lon: 35.8 },
        { id: 'south', lat: 33.5, lon: 35.4 },
        { id: 'east', lat: 33.8, lon: 35.9 },
      ]),
      1000,
      800,
      40,
    );
    const at = Object.fromEntries(placed.map((p) => [p.id, p]));
    expect(at.north!.y).toBeLessThan(at.south!.y);
    expect(at.east!.x).toBeGreaterThan(at.south!.x);
    for (const p of placed) {
      expect(p.x).toBeGreaterThanOrEqual(40 - 1e-9);
      expect(p.x).toBeLessThanOrEqual(960 + 1e-9);
      expect(p.y).toBeGreaterThanOrEqual(40 - 1e-9);
      expect(p.y).toBeLessThanOrEqual(760 + 1e-9);
    }
    expect(fit(projectGeo([{ id: 'one', lat: 1, lon: 2 }]), 100, 100)).toEqual([{ id: 'one', x: 50, y: 50 }]);
  });

  it('layers devices under their upstream, survives cycles and unknown ids', () => {
    const ids = ['border', 'core1', 'core2', 'acc1', 'acc2', 'loner'];
    const links = [
      { source: 'border', target: 'core1' },
      { source: 'border', target: 'core2' },
      { source: 'core1', target: 'acc1' },
      { source: 'core2', target: 'acc2' },
      { source: 'acc2', target: 'border' },
      { source: 'ghost', target: 'acc1' },
    ];
    const placed = layeredLayout(ids, links);
    expect(placed.map((p) => p.id).sort()).toEqual([...ids].sort());
    const y = Object.fromEntries(placed.map((p) => [p.id, p.y]));
    expect(y.core1).toBeGreaterThan(y.border!);
    expect(y.acc1).toBeGreaterThan(y.core1!);
    for (const p of placed) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  });

  it('force refinement is deterministic, finite, and separates coincident nodes', () => {
    const start = ['a', 'b', 'c', 'd'].map((id) => ({ id, x: 0, y: 0 }));
    const links = [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
    ];
    const one = forceLayout(start, links, 100);
    const two = forceLayout(start, links, 100);
    expect(one).toEqual(two);
    for (const p of one) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    const distinct = new Set(one.map((p) => `${p.x.toFixed(3)},${p.y.toFixed(3)}`));
    expect(distinct.size).toBe(4);
    const fitted = fit(one, 1200, 760);
    for (const p of fitted) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  });

  it('spreads devices of one site apart, keeping distant ones where they are', () => {
    const site = Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, x: 100 + i * 0.01, y: 100 }));
    const far = { id: 'far', x: 900, y: 700 };
    const out = spread([...site, far], 40, 200);
    const at = Object.fromEntries(out.map((p) => [p.id, p]));
    for (let i = 0; i < 6; i++)
      for (let j = i + 1; j < 6; j++) {
        const d = Math.hypot(at[`s${i}`]!.x - at[`s${j}`]!.x, at[`s${i}`]!.y - at[`s${j}`]!.y);
        expect(d).toBeGreaterThan(39);
      }
    expect(at.far).toEqual(far);
    // Still near the site: nobody was pushed across the map.
    for (let i = 0; i < 6; i++)
      expect(Math.hypot(at[`s${i}`]!.x - 100, at[`s${i}`]!.y - 100)).toBeLessThan(120);
    expect(spread([...site], 40)).toEqual(spread([...site], 40));
  });

  it('classifies link utilisation', () => {
    expect(utilisationClass(undefined)).toBe('none');
    expect(utilisationClass(0.2)).toBe('low');
    expect(utilisationClass(0.5)).toBe('mid');
    expect(utilisationClass(0.95)).toBe('high');
  });
});
