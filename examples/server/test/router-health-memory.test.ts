// The router page's memory tile and memory chart show one quantity: memory used summed over the
// router's pools (Cisco's processor and I/O pools, say). Before, the tile showed the largest pool
// (222 MiB "of 512") and the chart the first pool's series (~16 MiB). Checked against figures
// computed by hand, through the route, with storage answering per pool as PostgreSQL does.
import { Bus, type Device, type Sample, type SampleQuery, type SeriesData } from '@ispmonitor/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LatestGauges } from '../src/routers/health.js';
import { combine, seriesKey, sumPerStep } from '../src/routers/pools.js';
import { loadLatest, type RouterRow } from '../ui/src/pages/routers-data.js';
import { fakeStoragePlugin } from './support/fake-storage.js';
import { type Harness, startHarness } from './support/harness.js';

const MiB = 1024 * 1024;

describe('memory summed over pools', () => {
  it('sums per step, keeping steps where only some pools have a point', () => {
    const series: SeriesData[] = [
      {
        labels: { device: 'r', pool: 'ram' },
        points: [
          [0, 200 * MiB],
          [60, 210 * MiB],
          [120, 220 * MiB],
        ],
      },
      {
        labels: { device: 'r', pool: 'i/o' },
        points: [
          [0, 16 * MiB],
          [120, 18 * MiB],
        ],
      },
    ];
    expect(sumPerStep(series, { device: 'r' })).toEqual([
      {
        labels: { device: 'r' },
        points: [
          [0, 216 * MiB],
          [60, 210 * MiB],
          [120, 238 * MiB],
        ],
      },
    ]);
    expect(sumPerStep([], { device: 'r' })).toEqual([]);
    expect(combine([1, 2, Number.NaN, 4], 'sum')).toBe(7);
    expect(combine([1, 5, 4], 'max')).toBe(5);
    expect(combine([], 'sum')).toBeUndefined();
    expect(seriesKey({ pool: 'ram', device: 'r' })).toBe(seriesKey({ device: 'x', pool: 'ram' }));
    expect(seriesKey({ pool: 'ram' })).not.toBe(seriesKey({ pool: 'i/o' }));
  });

  it('the tile: the newest poll summed over pools, CPU and temperature the highest', () => {
    const latest = new LatestGauges(new Bus(() => {}));
    const s = (name: string, labels: Record<string, string>, value: number, ts: number): Sample => ({
      name,
      labels: { device: 'r', ...labels },
      value,
      ts,
    });
    latest.ingest('r', [
      s('device_memory_used_bytes', { pool: 'ram' }, 222 * MiB, 1000),
      s('device_memory_used_bytes', { pool: 'i/o' }, 16 * MiB, 1000),
      s('device_memory_total_bytes', { pool: 'ram' }, 512 * MiB, 1000),
      s('device_memory_total_bytes', { pool: 'i/o' }, 64 * MiB, 1000),
      s('device_cpu_load_ratio', { cpu: '0' }, 0.25, 1000),
      s('device_cpu_load_ratio', { cpu: '1' }, 0.75, 1000),
      s('device_temperature_celsius', { sensor: 'a' }, 41, 1000),
      s('device_temperature_celsius', { sensor: 'b' }, 48, 1000),
    ]);
    expect(latest.of('r')).toEqual({
      memoryUsed: 238 * MiB,
      memoryTotal: 576 * MiB,
      cpu: 0.75,
      temperature: 48,
    });
    expect(latest.memoryPools('r')).toBe(2);
    // The next poll replaces the figure (not the highest of both polls); a late older poll changes nothing.
    latest.ingest('r', [
      s('device_memory_used_bytes', { pool: 'ram' }, 100 * MiB, 2000),
      s('device_memory_used_bytes', { pool: 'i/o' }, 10 * MiB, 2000),
    ]);
    latest.ingest('r', [s('device_memory_used_bytes', { pool: 'ram' }, 500 * MiB, 1500)]);
    expect(latest.of('r').memoryUsed).toBe(110 * MiB);
    // A pool that is gone from the newest poll stops counting.
    latest.ingest('r', [s('device_memory_used_bytes', { pool: 'ram' }, 120 * MiB, 3000)]);
    expect(latest.of('r').memoryUsed).toBe(120 * MiB);
    expect(latest.memoryPools('r')).toBe(1);
    latest.close();
  });
});

/** Storage answering one series per pool, as the PostgreSQL store does. */
const pools: SampleQuery = {
  async range(q) {
    const device = q.labels?.device ?? '';
    if (q.name !== 'device_memory_used_bytes') return [];
    return [
      {
        labels: { device, pool: 'i/o' },
        points: [
          [q.from, 16 * MiB],
          [q.from + q.step, 17 * MiB],
        ],
      },
      {
        labels: { device, pool: 'ram' },
        points: [
          [q.from, 222 * MiB],
          [q.from + q.step, 230 * MiB],
        ],
      },
    ];
  },
  async latest(name, labels) {
    const device = labels?.device ?? '';
    const ts = 1;
    if (name === 'device_memory_used_bytes')
      return [
        { name, labels: { device, pool: 'i/o' }, value: 17 * MiB, ts },
        { name, labels: { device, pool: 'ram' }, value: 230 * MiB, ts },
      ];
    if (name === 'device_memory_total_bytes')
      return [
        { name, labels: { device, pool: 'i/o' }, value: 64 * MiB, ts },
        { name, labels: { device, pool: 'ram' }, value: 512 * MiB, ts },
      ];
    return [];
  },
};
const quiet: Device = { id: 'r2', host: '127.0.0.2', driver: 'lab', lab: { fail: true } };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ devices: [quiet], plugins: [fakeStoragePlugin(pools, 'fake-pool-storage')] });
});
afterAll(() => h.close());

describe('/api/v1/routers/:id/health with memory in two pools', () => {
  it('charts and tiles the same sum (from storage for a router this process has not polled)', async () => {
    const res = await h.app.inject({ url: '/api/v1/routers/r2/health?from=-1h&step=5m', headers: h.admin });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.series.memoryUsed).toEqual([
      {
        labels: { device: 'r2' },
        points: [
          [body.from, 238 * MiB],
          [body.from + 300_000, 247 * MiB],
        ],
      },
    ]);
    expect(body.now.memoryUsed).toBe(247 * MiB);
    expect(body.now.memoryTotal).toBe(576 * MiB);
    // The newest chart point and the tile agree.
    expect(body.series.memoryUsed[0].points.at(-1)[1]).toBe(body.now.memoryUsed);
    expect(body.memory).toEqual({ combined: 'sum', pools: 2 });
  });
});

describe('the routers page: the same memory figure as the router page', () => {
  it('sums memory over pools and takes the busiest CPU', async () => {
    const items: Record<string, Array<{ device: string; labels: Record<string, string>; value: number }>> = {
      device_cpu_load_ratio: [
        { device: 'r1', labels: { cpu: '0' }, value: 0.2 },
        { device: 'r1', labels: { cpu: '1' }, value: 0.9 },
      ],
      device_memory_used_bytes: [
        { device: 'r1', labels: { pool: 'ram' }, value: 222 * MiB },
        { device: 'r1', labels: { pool: 'i/o' }, value: 16 * MiB },
      ],
      device_memory_total_bytes: [
        { device: 'r1', labels: { pool: 'ram' }, value: 512 * MiB },
        { device: 'r1', labels: { pool: 'i/o' }, value: 64 * MiB },
      ],
      device_uptime_seconds: [{ device: 'r1', labels: {}, value: 3600 }],
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path: string) => {
        const metric = new URL(path, 'http://127.0.0.1').searchParams.get('metric') ?? '';
        return new Response(JSON.stringify({ items: items[metric] ?? [] }), { status: 200 });
      }),
    );
    try {
      const row = { id: 'r1', name: 'R1', host: '127.0.0.1', driver: 'snmp', status: 'online' } as RouterRow;
      expect(await loadLatest([row], new AbortController().signal)).toBe(true);
      expect(row).toMatchObject({ cpu: 0.9, memUsed: 238 * MiB, memTotal: 576 * MiB, uptime: 3600 });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
