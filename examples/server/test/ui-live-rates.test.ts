// The router page's live interface figures kept in memory from the polls' samples: rates of the
// newest pair of readings, sparkline buckets, stored history read in once, and the table and the
// default chart choice built from them without a storage query.
import {
  Bus,
  type Device,
  type RangeQuery,
  type Sample,
  type SampleQuery,
  type SeriesData,
} from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { defaultCharted } from '../src/interfaces/charted.js';
import { LiveInterfaces, SPARK_STEP_MS } from '../src/interfaces/live.js';
import { rateWindowMs } from '../src/interfaces/readings.js';
import { interfaceTable } from '../src/interfaces/table.js';
import { interfaceRow } from './support/interfaces.js';

const device: Device = {
  id: 'r1',
  host: '127.0.0.1',
  driver: 'snmp',
  interval: '60s',
  labels: { uplinks: 'ether2' },
};
/** A bucket boundary, so the buckets below are easy to count. */
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % SPARK_STEP_MS);

const counter = (name: string, ifName: string, value: number | bigint, ts: number): Sample => ({
  name: `interface_${name}_total`,
  labels: { device: 'r1', ifName },
  value,
  ts,
});

/** Storage that records what it was asked and answers `rate` queries from `points`. */
function storage(points: Record<string, Record<string, Array<[number, number]>>> = {}) {
  const asked: RangeQuery[] = [];
  const samples: SampleQuery = {
    async range(q: RangeQuery): Promise<SeriesData[]> {
      asked.push(q);
      return Object.entries(points[q.name] ?? {}).map(([ifName, p]) => ({
        labels: { device: 'r1', ifName },
        points: p.filter(([t]) => t >= q.from && t <= q.to),
      }));
    },
    async latest() {
      return [];
    },
  };
  return { samples, asked };
}

const newLive = () => {
  const bus = new Bus(() => undefined);
  return { bus, live: new LiveInterfaces(bus, (d) => rateWindowMs(d.interval)) };
};

const row = interfaceRow;

describe('live interface rates from the polls', () => {
  it('gives the rate of the newest pair, across a 32-bit wrap and past 2^53', () => {
    const { bus, live } = newLive();
    const poll = (ts: number, inOct: number, outOct: number | bigint, errors: number) =>
      bus.emit('samples', {
        device,
        samples: [
          counter('in_octets', 'ether1', inOct, ts),
          counter('out_octets', 'ether1', outOct, ts),
          counter('in_errors', 'ether1', errors, ts),
          { name: 'interface_oper_up', labels: { device: 'r1', ifName: 'ether1' }, value: 1, ts },
        ],
      });
    poll(T0 + 10_000, 4_294_960_000, 2n ** 60n, 7);
    expect(live.router('r1')?.hasRates()).toBe(false);
    // 60 s later: 10,000 octets across the wrap (7,296 + 2,704), 6,000,000 out, 3 errors.
    poll(T0 + 70_000, 2_704, 2n ** 60n + 6_000_000n, 10);
    const r = live.router('r1');
    expect(r?.hasRates()).toBe(true);
    expect(r?.at).toBe(T0 + 70_000);
    expect(r?.rate('ether1', 0)).toBeCloseTo(10_000 / 60, 6);
    // 2^60 is exact as a double; 6,000,000 more rounds to a multiple of 256.
    expect(r?.rate('ether1', 1)).toBeCloseTo(100_000, -1);
    expect(r?.rate('ether1', 2)).toBeCloseTo(0.05, 9);
    expect(r?.rate('ether1', 4)).toBeUndefined();
    expect(r?.rate('nope', 0)).toBeUndefined();
  });

  it('gives no rate for a pair further apart than the rate window, nor for a late reading', () => {
    const { bus, live } = newLive();
    const at = (ts: number, v: number) =>
      bus.emit('samples', { device, samples: [counter('in_octets', 'ether1', v, ts)] });
    at(T0, 0);
    // Ten minutes is the window at 60 s: eleven apart is a router that was away.
    at(T0 + 660_000, 660_000);
    expect(live.router('r1')?.rate('ether1', 0)).toBeUndefined();
    at(T0 + 720_000, 720_000);
    expect(live.router('r1')?.rate('ether1', 0)).toBe(1_000);
    at(T0 + 700_000, 0);
    expect(live.router('r1')?.rate('ether1', 0)).toBe(1_000);
  });

  it('keeps an hour of 2-minute sparkline buckets: bits over the seconds the pairs span', () => {
    const { bus, live } = newLive();
    // A poll every 60 s for 80 minutes at 1,000 B/s in, then 2,000 B/s.
    let inOct = 0;
    for (let i = 0; i <= 80; i++) {
      const ts = T0 + i * 60_000;
      bus.emit('samples', {
        device,
        samples: [counter('in_octets', 'ether1', inOct, ts), counter('out_octets', 'ether1', 0, ts)],
      });
      inOct += i < 70 ? 60_000 : 120_000;
    }
    const r = live.router('r1');
    // Bucket 25 is minutes 50–52: the pairs ending at minutes 50 and 51.
    const s = r?.spark('ether1', T0 + 50 * 60_000, 15);
    expect(s?.in.slice(0, 10)).toEqual(Array(10).fill(8_000));
    // Minutes 70–72: the pair ending at 70 still at 1,000 B/s, the one ending at 71 at 2,000.
    expect(s?.in[10]).toBe(12_000);
    expect(s?.in[11]).toBe(16_000);
    expect(s?.out[0]).toBe(0);
    // Past the newest reading, nothing.
    expect(r?.spark('ether1', T0 + 90 * 60_000, 2).in).toEqual([null, null]);
    // Over an hour old: the ring has moved on.
    expect(r?.spark('ether1', T0, 3).in).toEqual([null, null, null]);
  });

  it('forgets a removed router', () => {
    const { bus, live } = newLive();
    bus.emit('samples', { device, samples: [counter('in_octets', 'ether1', 1, T0)] });
    expect(live.router('r1')).toBeDefined();
    bus.emit('device:removed', { device });
    expect(live.router('r1')).toBeUndefined();
    live.close();
  });
});

describe('the interface table from live rates', () => {
  /** Two polls a minute apart, ending at `end`: ether1 1 Mb/s in, ether2 (the uplink) 8 Gb/s out. */
  const twoPolls = (bus: Bus, end: number) => {
    for (const [k, ts] of [
      [0, end - 60_000],
      [1, end],
    ] as const) {
      bus.emit('samples', {
        device,
        samples: [
          counter('in_octets', 'ether1', k * 7_500_000, ts),
          counter('out_octets', 'ether1', 0, ts),
          counter('in_errors', 'ether1', k * 30, ts),
          counter('in_octets', 'ether2', 0, ts),
          counter('out_octets', 'ether2', k * 60_000_000_000, ts),
        ],
      });
    }
  };

  it('reads no storage once the ring covers the hour, and agrees with the stored rates', async () => {
    const { bus, live } = newLive();
    const { samples, asked } = storage();
    const now = T0 + 3_700_000;
    // A reading an hour ago: the ring covers the sparkline's hour.
    bus.emit('samples', { device, samples: [counter('in_octets', 'ether9', 0, now - 3_750_000)] });
    twoPolls(bus, now - 5_000);
    const t = await interfaceTable({
      device,
      interfaces: [row('ether1', { speedBps: 10e6 }), row('ether2', { speedBps: 10e9 })],
      samples,
      now,
      live: live.router('r1'),
    });
    expect(asked).toEqual([]);
    expect(t.at).toBe(now - 5_000);
    expect(t.items.map((r) => r.name)).toEqual(['ether2', 'ether1']);
    expect(t.items[1]).toMatchObject({ inBps: 1_000_000, inUtil: 0.1, inErrorsPerSec: 0.5, outBps: 0 });
    expect(t.items[0]).toMatchObject({ outBps: 8e9, outUtil: 0.8, inBps: 0, inDiscardsPerSec: null });
    // The newest complete bucket holds the second poll's pair, unless it ended in the one filling.
    const last = Math.floor((now - 5_000) / SPARK_STEP_MS) * SPARK_STEP_MS;
    const onGrid = last <= t.spark.from + (t.spark.points - 1) * t.spark.step;
    expect(t.items[1]?.sparkIn.at(-1)).toBe(onGrid ? 1_000_000 : null);
  });

  it('shows no rate when the newest reading is older than the rate window', async () => {
    const { bus, live } = newLive();
    const now = T0 + 3_700_000;
    twoPolls(bus, now - 700_000);
    const t = await interfaceTable({
      device,
      interfaces: [row('ether1')],
      samples: undefined,
      now,
      live: live.router('r1'),
    });
    expect(t.at).toBeNull();
    expect(t.items[0]).toMatchObject({ inBps: null, inErrorsPerSec: null });
  });

  it('reads the stored sparkline buckets once for a router seen lately; its own buckets win', async () => {
    const { bus, live } = newLive();
    const now = T0 + 3_700_000;
    const step = SPARK_STEP_MS;
    const newest = Math.floor(now / step) * step - step;
    const grid = Array.from({ length: 30 }, (_, i) => newest - (29 - i) * step);
    // Storage: 500 B/s in every bucket of the hour (rates are per second, in octets).
    const { samples, asked } = storage({
      interface_in_octets_total: { ether1: grid.map((t) => [t, 500]) },
      interface_out_octets_total: { ether1: grid.map((t) => [t, 0]) },
    });
    // The second poll's pair ends in the grid's 29th bucket.
    twoPolls(bus, now - 250_000);
    const load = () =>
      interfaceTable({ device, interfaces: [row('ether1')], samples, now, live: live.router('r1') });
    const t = await load();
    expect(asked.map((q) => [q.name, q.fn])).toEqual([
      ['interface_in_octets_total', 'rate'],
      ['interface_out_octets_total', 'rate'],
    ]);
    expect(t.items[0]?.sparkIn[0]).toBe(4_000);
    // The bucket of the pair the ring saw keeps the ring's 1 Mb/s.
    expect(grid.indexOf(Math.floor((now - 250_000) / step) * step)).toBe(28);
    expect(t.items[0]?.sparkIn[28]).toBe(1_000_000);
    expect(t.items[0]?.inBps).toBe(1_000_000);
    await load();
    expect(asked).toHaveLength(2);
  });

  it('falls back to storage before the ring has a rate', async () => {
    const { bus, live } = newLive();
    const { samples, asked } = storage();
    bus.emit('samples', { device, samples: [counter('in_octets', 'ether1', 0, T0)] });
    await interfaceTable({
      device,
      interfaces: [row('ether1')],
      samples,
      now: T0 + 1_000,
      live: live.router('r1'),
    });
    expect(asked.filter((q) => q.fn === 'raw')).toHaveLength(6);
  });

  it('chooses the default charts from live rates: uplinks, then the busiest ports that are up', async () => {
    const { bus, live } = newLive();
    const { samples, asked } = storage();
    twoPolls(bus, T0);
    const chosen = await defaultCharted({
      device,
      interfaces: [row('ether3'), row('ether1'), row('ether2'), row('ether4', { operUp: false })],
      samples,
      now: T0 + 1_000,
      max: 2,
      live: live.router('r1'),
    });
    expect(asked).toEqual([]);
    expect(chosen.map((c) => c.name)).toEqual(['ether2', 'ether1']);
  });
});
