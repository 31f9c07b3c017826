import type { Monitor } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, readConfig } from '../src/assemble.js';
import { ADMIN_KEY, apiFor, closeApiAndMonitor, waitFor } from './support/harness.js';
import { labDriver } from './support/lab-driver.js';

let monitor: Monitor;
let app: FastifyInstance;
let close: () => Promise<void>;
const headers = { authorization: `Bearer ${ADMIN_KEY}` };
const get = async (url: string) => {
  const r = await app.inject({ url, headers });
  expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
  return r.json();
};

beforeAll(async () => {
  const { config, secrets } = (await readConfig(undefined, { LOG_LEVEL: 'warn' })).loaded;
  config.devices = [
    { id: 'r1', host: '127.0.0.1', driver: 'lab', interval: '1s', lab: { interfaces: 2 } },
    {
      id: 'r2',
      host: '127.0.0.2',
      driver: 'lab',
      interval: '1s',
      peer: 'r1',
      parent: 'r1',
      labels: { uplinks: 'ether1' },
      lab: { interfaces: 3 },
    },
  ];
  config.plugins = { postgres: { ingest: { chunkSize: 100 } } };
  monitor = await assemble(config, secrets, { memoryDb: true, plugins: [labDriver()] });
  await monitor.start();
  ({ app, close } = await apiFor(monitor, { storage: true }));
  // Two polls of each router have reached the database.
  await waitFor(
    async () => {
      const r = await app.inject({
        url: '/api/v1/metrics/routers/r1?metric=device_cpu_load_ratio&from=-1m&step=1s&fn=raw',
        headers,
      });
      return r.statusCode === 200 && (r.json().series[0]?.points.length ?? 0) >= 2;
    },
    30_000,
    'samples stored',
  );
}, 90_000);
afterAll(() => closeApiAndMonitor(close, monitor));

describe('API over the Postgres plugin (embedded PGlite)', () => {
  it('serves time series with a step and a function, and counter rates', async () => {
    const cpu = await get('/api/v1/metrics/routers/r1?metric=device_cpu_load_ratio&from=-1m&step=10s&fn=avg');
    expect(cpu.series[0].labels.device).toBe('r1');
    expect(cpu.series[0].points.every(([, v]: [number, number]) => v === 0.25)).toBe(true);
    const rate = await get('/api/v1/metrics/interfaces/r1:1?from=-1m&step=5s');
    expect(rate.fn).toBe('rate');
    expect(rate.series[0].labels.ifName).toBe('ether1');
  });

  it('answers latest values of a metric for all routers and rankings', async () => {
    const latest = await get('/api/v1/metrics/latest?metric=device_cpu_load_ratio');
    expect(latest.items.map((i: { device: string }) => i.device).sort()).toEqual(['r1', 'r2']);
    const top = await get('/api/v1/metrics/top?kind=interfaces&window=1m&limit=3');
    expect(top.items.length).toBeGreaterThan(0);
    expect(top.items[0]).toHaveProperty('ifName');
  });

  it('sums a metric over the fleet and totals traffic per router for sparklines', async () => {
    const fleet = await get('/api/v1/metrics/fleet?metric=device_cpu_load_ratio&from=-1m&step=10s');
    expect(fleet.series).toBe(2);
    expect(fleet.points.length).toBeGreaterThan(0);
    // Two routers at 0.25 each: every full bucket sums to 0.5.
    expect(fleet.points.some(([, v]: [number, number]) => Math.abs(v - 0.5) < 1e-9)).toBe(true);
    const spark = await get('/api/v1/metrics/sparklines?routers=r1,r2,unknown&from=-1m&step=5s');
    expect(Object.keys(spark.items).sort()).toEqual(['r1', 'r2']);
    expect(spark.items.r1.some(([, v]: [number, number]) => v > 0)).toBe(true);
    const tooMany = Array.from({ length: 201 }, (_, i) => `x${i}`).join(',');
    expect(
      (await app.inject({ url: `/api/v1/metrics/sparklines?routers=${tooMany}`, headers })).statusCode,
    ).toBe(400);
  });

  it('reads interfaces, sessions and leases from the database', async () => {
    await waitFor(
      async () => (await get('/api/v1/interfaces?pageSize=100')).total === 5,
      10_000,
      'interfaces stored',
    );
    const r2 = await get('/api/v1/routers/r2/interfaces');
    expect(r2.items.map((i: { name: string }) => i.name).sort()).toEqual(['ether1', 'ether2', 'ether3']);
    // Subscriber history is written in batches (`subscribers.flushInterval`), after the facts.
    await waitFor(async () => (await get('/api/v1/sessions/pppoe')).total === 2, 10_000, 'sessions stored');
    const byMac = await get('/api/v1/sessions/pppoe?q=AA:BB:CC:00:00:01');
    expect(byMac.items.map((s: { device: string }) => s.device).sort()).toEqual(['r1', 'r2']);
    const byUser = await get('/api/v1/sessions/pppoe?q=sub-r2');
    expect(byUser.items).toEqual([expect.objectContaining({ user: 'sub-r2', device: 'r2' })]);
    const lease = await get('/api/v1/sessions/dhcp?q=192.0.2.50&router=r1');
    expect(lease.items).toEqual([expect.objectContaining({ mac: 'aa:bb:cc:00:00:02', device: 'r1' })]);
    const wifi = await get('/api/v1/sessions/wireless?q=wlan1');
    expect(wifi.total).toBe(2);
    expect((await get('/api/v1/routers/r1')).system).toMatchObject({ vendor: 'Lab' });
  });

  it('builds the topology from stored neighbours', async () => {
    // A link is coloured once both ends' rates and speeds are stored; on a loaded machine the
    // interface facts and the first complete 10 s rate bucket can land a few polls later.
    let topo = await get('/api/v1/topology');
    await waitFor(
      async () => {
        topo = await get('/api/v1/topology');
        return topo.links.filter((l: { utilisation?: number }) => l.utilisation !== undefined).length >= 2;
      },
      20_000,
      'both links coloured',
    );
    expect(topo.links).toContainEqual(expect.objectContaining({ source: 'r2', target: 'r1', kind: 'lldp' }));
    // The lab router's ether1 receives 10,000 octets per ms (80 Mbit/s of its 1 Gbit/s); with a few
    // seconds of stored data the 10 s rates read lower than that, but never zero or above it.
    const link = topo.links.find(
      (l: { source: string; kind: string }) => l.source === 'r2' && l.kind === 'lldp',
    );
    expect(link.sourceInterface).toBe('ether1');
    expect(link.utilisation).toBeGreaterThan(0);
    expect(link.utilisation).toBeLessThanOrEqual(0.081);
    // A declared parent link ends at the child's uplink (its `uplinks` label), so it is coloured too.
    const parent = topo.links.find((l: { kind: string }) => l.kind === 'parent');
    expect(parent).toMatchObject({ source: 'r1', target: 'r2', targetInterface: 'ether1' });
    expect(parent.utilisation).toBeGreaterThan(0);
  });

  it("serves a router's status changes and availability from the stored history", async () => {
    await waitFor(
      async () => {
        const r = await app.inject({ url: '/api/v1/routers/r1/status-history?from=-10m', headers });
        return r.statusCode === 200 && r.json().changes.length >= 1;
      },
      30_000,
      'status change stored',
    );
    const h = await get('/api/v1/routers/r1/status-history?from=-10m');
    expect(h.device).toBe('r1');
    expect(h.changes[0]).toMatchObject({ device: 'r1', previous: 'unknown', status: 'online' });
    expect(h.availability.ratio).toBeGreaterThan(0.99);
    const missing = await app.inject({ url: '/api/v1/routers/nope/status-history', headers });
    expect(missing.statusCode).toBe(404);
    const bad = await app.inject({ url: '/api/v1/routers/r1/status-history?from=now&to=-1h', headers });
    expect(bad.statusCode).toBe(400);
  });
});
