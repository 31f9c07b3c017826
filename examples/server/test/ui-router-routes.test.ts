// The router page's reads through the API: its health in one request (charts from storage, tiles
// from the polls), and its interface table from the polls' live rates without a storage query,
// from storage for a router this process has not polled.
import type { Device, RangeQuery, Sample, SampleQuery, SeriesData } from '@ispmonitor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStoragePlugin } from './support/fake-storage.js';
import { type Harness, startHarness } from './support/harness.js';

const asked: Array<{ kind: 'range' | 'latest'; name: string; fn?: string; device?: string }> = [];
/** Storage that answers one point per series and says what it was asked. */
const fakeStorage: SampleQuery = {
  async range(q: RangeQuery): Promise<SeriesData[]> {
    asked.push({ kind: 'range', name: q.name, fn: q.fn, device: q.labels?.device });
    return [{ labels: { device: q.labels?.device ?? '' }, points: [[q.from, 0.5]] }];
  },
  async latest(name, labels): Promise<Sample[]> {
    asked.push({ kind: 'latest', name, device: labels?.device });
    return [{ name, labels: labels ?? {}, value: 42, ts: 1 }];
  },
};

// The lab driver's own polls (one an hour) must not mix their counters in: they fail.
const polled: Device = {
  id: 'r1',
  host: '127.0.0.1',
  driver: 'lab',
  labels: { uplinks: 'ether2' },
  lab: { fail: true },
};
const quiet: Device = { id: 'r2', host: '127.0.0.2', driver: 'lab', lab: { fail: true } };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ devices: [polled, quiet], plugins: [fakeStoragePlugin(fakeStorage)] });
});
afterAll(() => h.close());

const get = async (url: string) => {
  const res = await h.app.inject({ url, headers: h.admin });
  return { status: res.statusCode, body: res.json() };
};

/** One poll of r1 as the bus carries it: two CPUs, memory, two interfaces' counters, its facts. */
function poll(ts: number, k: number) {
  const base = { device: 'r1' };
  const ifc = (ifName: string) => ({ ...base, ifName });
  h.monitor.bus.emit('samples', {
    device: polled,
    samples: [
      { name: 'device_cpu_load_ratio', labels: { ...base, cpu: '0' }, value: 0.2, ts },
      { name: 'device_cpu_load_ratio', labels: { ...base, cpu: '1' }, value: 0.6 + k / 10, ts },
      { name: 'device_memory_total_bytes', labels: base, value: 1024, ts },
      { name: 'device_uptime_seconds', labels: base, value: 100 + k * 60, ts },
      { name: 'interface_in_octets_total', labels: ifc('ether1'), value: k * 7_500_000, ts },
      { name: 'interface_out_octets_total', labels: ifc('ether1'), value: 0, ts },
      { name: 'interface_in_octets_total', labels: ifc('ether2'), value: 0, ts },
      { name: 'interface_out_octets_total', labels: ifc('ether2'), value: k * 60_000_000, ts },
    ],
  });
  h.monitor.bus.emit('facts', {
    device: polled,
    ts,
    facts: {
      interfaces: [
        { index: 1, name: 'ether1', speedBps: 10e6, adminUp: true, operUp: true },
        { index: 2, name: 'ether2', speedBps: 1e9, adminUp: true, operUp: true },
      ],
    },
  });
}

describe('the router page through the API', () => {
  it('answers its health in one request: four stored series, the tiles from the polls', async () => {
    const now = Date.now();
    poll(now - 61_000, 0);
    poll(now - 1_000, 1);
    asked.length = 0;
    const { status, body } = await get('/api/v1/routers/r1/health?from=-6h&step=2m');
    expect(status).toBe(200);
    expect(body.step).toBe(120_000);
    expect(body.to - body.from).toBe(6 * 3_600_000);
    expect(asked.map((a) => [a.kind, a.name, a.fn])).toEqual([
      ['range', 'device_cpu_load_ratio', 'avg'],
      ['range', 'device_memory_used_bytes', 'avg'],
      ['range', 'device_temperature_celsius', 'avg'],
      ['range', 'device_up', 'avg'],
      // Memory used and temperature were not in the polls: storage's newest.
      ['latest', 'device_memory_used_bytes', undefined],
      ['latest', 'device_temperature_celsius', undefined],
    ]);
    expect(body.series.cpu[0].points).toEqual([[body.from, 0.5]]);
    // The highest CPU of the newest poll.
    expect(body.now).toEqual({
      cpu: 0.7,
      memoryTotal: 1024,
      uptimeSeconds: 160,
      memoryUsed: 42,
      temperature: 42,
    });
  });

  it('refuses an unknown router and a range that is not one', async () => {
    expect((await get('/api/v1/routers/nope/health')).status).toBe(404);
    expect((await get('/api/v1/routers/r1/health?from=-1h&to=-2h')).status).toBe(400);
    expect((await get('/api/v1/routers/r1/health?from=-30d&step=1s')).status).toBe(400);
  });

  it('builds the interface table of a polled router from its live rates, no storage query', async () => {
    asked.length = 0;
    const { status, body } = await get('/api/v1/routers/r1/interface-table');
    expect(status).toBe(200);
    // The ring has seen r1 for a minute only: the hour before is read once, for the sparklines.
    expect(asked.map((a) => [a.name, a.fn])).toEqual([
      ['interface_in_octets_total', 'rate'],
      ['interface_out_octets_total', 'rate'],
    ]);
    expect(body.items.map((r: { name: string }) => r.name)).toEqual(['ether2', 'ether1']);
    expect(body.items[1]).toMatchObject({ inBps: 1_000_000, inUtil: 0.1 });
    expect(body.items[0]).toMatchObject({ outBps: 8_000_000, outUtil: 0.008 });
    asked.length = 0;
    await get('/api/v1/routers/r1/interface-table');
    const chosen = await get('/api/v1/routers/r1/interface-series?charted=default&from=-1h&step=1m');
    expect(chosen.body.charted.map((c: { name: string }) => c.name)).toEqual(['ether2', 'ether1']);
    // The charts' series only: six counters, read router-wide.
    expect(asked.map((a) => a.name)).toHaveLength(6);
    expect(asked.every((a) => a.fn === 'rate' && a.device === 'r1')).toBe(true);
  });

  it('reads storage for a router this process has not polled', async () => {
    asked.length = 0;
    const { status } = await get('/api/v1/routers/r2/interface-table');
    expect(status).toBe(200);
    expect(asked.filter((a) => a.fn === 'raw')).toHaveLength(6);
  });
});
