/**
 * `server.storage.samples: prometheus`: the same polls written to PostgreSQL (PGlite) and, by
 * remote write, to a real Prometheus; the chart reads (`range`, `latest`) and the rankings answered
 * from PromQL equal PostgreSQL's, within the engine's step rounding.
 */
import { createMonitor, type Monitor, type RangeQuery, type Sample, tokens } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { type PostgresStore, postgres, postgresStore } from '@ispmonitor/plugin-postgres';
import { remoteWrite } from '@ispmonitor/plugin-remote-write';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  binaryMissing,
  PROMETHEUS_BIN,
  type Receiver,
  startPrometheus,
} from '../../../packages/plugin-remote-write/test/support/peers.js';
import { buildApp } from '../src/http/app.js';
import { samplesView } from '../src/samples/rankings.js';
import { parseServerConfig } from '../src/server-config.js';
import { createServerContext } from '../src/server-context.js';
import { ADMIN_KEY } from './support/harness.js';

const missing = binaryMissing(PROMETHEUS_BIN, 'prometheus');
const MIN = 60_000;
const DEVICES = ['r1', 'r2', 'r3'];
const IFACES = ['ether1', 'ether2'];

describe.skipIf(missing)('charts read from Prometheus equal PostgreSQL on the same polls', () => {
  let rx: Receiver;
  let monitor: Monitor;
  let pg: PostgresStore;
  let view: PostgresStore;
  /** First poll; buckets start 7 s before it, so no sample sits on a bucket edge. */
  let base = 0;
  let last = 0;

  beforeAll(async () => {
    rx = await startPrometheus();
    monitor = await createMonitor({
      plugins: [
        postgres({ memory: true }),
        remoteWrite({ targets: [{ url: rx.writeUrl }], query: { url: rx.base } }),
      ],
      logger: createFakeLogger(),
    });
    await monitor.start();
    pg = monitor.resolve(postgresStore);
    view = samplesView(monitor, pg) as PostgresStore;
    const now = Date.now();
    // The last poll 2 s ago: a window ending now holds whole minutes of polls in both engines.
    base = now - 39 * MIN - 2_000;
    const batch: Sample[] = [];
    for (let i = 0; i <= 39; i++) {
      const ts = base + i * MIN;
      last = ts;
      for (const [d, device] of DEVICES.entries()) {
        batch.push({
          name: 'device_cpu_load_ratio',
          labels: { device },
          value: 0.1 * (d + 1) + (i % 3) * 0.01,
          ts,
        });
        for (const [k, ifName] of IFACES.entries()) {
          const slope = 1000 * (3 * d + k + 1); // octets per second, a different rank for each
          const labels = { device, ifName };
          batch.push({ name: 'interface_in_octets_total', labels, value: 5e9 + slope * 60 * i, ts });
          batch.push({ name: 'interface_out_octets_total', labels, value: 1e6 + (slope / 2) * 60 * i, ts });
        }
      }
    }
    for (const sink of monitor.resolveAll(tokens.Sink)) await sink.write(batch);
    const reader = monitor.resolve(tokens.SampleQuery);
    await vi.waitFor(
      async () =>
        expect((await reader.latest('device_cpu_load_ratio')).map((s) => s.ts)).toEqual([last, last, last]),
      { timeout: 15_000, interval: 250 },
    );
  }, 120_000);

  afterAll(async () => {
    await monitor?.stop();
    await rx?.stop();
  });

  it('serves sample reads from the PromQL reader in prometheus mode, and everything else from PostgreSQL', () => {
    expect(monitor.resolve(tokens.SampleQuery)).not.toBe(pg);
    expect(view.devices).toBeTypeOf('function');
    expect(samplesView(monitor, pg)).toBe(view);
  });

  const sorted = <T extends { labels: Record<string, string> }>(s: T[]): T[] =>
    [...s].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

  it.each([
    ['raw', 'interface_in_octets_total', 1],
    ['avg', 'device_cpu_load_ratio', 5 * MIN],
    ['max', 'device_cpu_load_ratio', 5 * MIN],
    ['min', 'device_cpu_load_ratio', 5 * MIN],
    ['last', 'device_cpu_load_ratio', 5 * MIN],
    ['rate', 'interface_out_octets_total', 5 * MIN],
    ['increase', 'interface_in_octets_total', 10 * MIN],
  ] as const)('range fn=%s of %s: same series, buckets and values', async (fn, name, step) => {
    const from = base - 7_000;
    const to = last + 1;
    const q: RangeQuery = { name, from, to, step, fn, labels: { device: 'r2' } };
    const [a, b] = await Promise.all([pg.range(q), view.range(q)]);
    expect(b.map((s) => s.labels)).toEqual(sorted(a).map((s) => s.labels));
    for (const [i, s] of sorted(a).entries()) {
      let want = s.points;
      let got = b[i]?.points ?? [];
      if (fn === 'rate' || fn === 'increase') {
        // The first bucket has no sample before it: PostgreSQL counts the pairs it has, PromQL extrapolates.
        want = want.slice(1);
        got = got.filter(([t]) => t > from);
      }
      expect(got.map(([t]) => t)).toEqual(want.map(([t]) => t));
      for (const [k, [, v]] of want.entries()) expect(got[k]?.[1]).toBeCloseTo(v, 6);
    }
  });

  it('latest: the newest sample of each series with its poll timestamp', async () => {
    const [a, b] = await Promise.all([
      pg.latest('interface_in_octets_total', { device: 'r3' }),
      view.latest('interface_in_octets_total', { device: 'r3' }),
    ]);
    const norm = (s: Sample[]) =>
      sorted(s).map((x) => ({ labels: x.labels, value: Number(x.value), ts: x.ts }));
    expect(norm(b)).toEqual(norm(a));
    expect(b.map((s) => s.ts)).toEqual([last, last]);
  });

  it('top-N: busiest interfaces and highest CPU in the same order with the same values', async () => {
    const window = 10 * MIN;
    const [ia, ib] = await Promise.all([pg.busiestInterfaces(window, 4), view.busiestInterfaces(window, 4)]);
    expect(ib.map((r) => [r.device, r.ifName])).toEqual(ia.map((r) => [r.device, r.ifName]));
    for (const [k, r] of ia.entries()) expect((ib[k]?.value ?? 0) / r.value).toBeCloseTo(1, 1);
    const [ca, cb] = await Promise.all([pg.highestCpu(window, 3), view.highestCpu(window, 3)]);
    expect(cb.map((r) => r.device)).toEqual(ca.map((r) => r.device));
    for (const [k, r] of ca.entries()) expect(cb[k]?.value).toBeCloseTo(r.value, 2);
  });

  it('the chart API answers alike in both modes: fleet sums, latest values, top links', async () => {
    const config = parseServerConfig({ auth: { adminApiKey: ADMIN_KEY } }, {});
    // One server over the same monitor; in postgres mode its sample reader is PostgreSQL's. The
    // routes look the reader up at every request, so the mode can change between requests.
    let mode: 'postgres' | 'prometheus' = 'postgres';
    const switchable = new Proxy(monitor, {
      get(target, prop) {
        if (prop === 'resolve') {
          return (t: symbol) =>
            t === tokens.SampleQuery && mode === 'postgres' ? pg : target.resolve(t as never);
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const ctx = await createServerContext(switchable, config, { print: () => {} });
    const app = await buildApp(ctx);
    try {
      const get = async (url: string) => {
        const out = [];
        for (const m of ['postgres', 'prometheus'] as const) {
          mode = m;
          const r = await app.inject({ url, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
          expect(r.statusCode, `${m} ${url}: ${r.body}`).toBe(200);
          out.push(r.json());
        }
        return out;
      };
      const [fa, fb] = await get(
        `/api/v1/metrics/fleet?metric=device_cpu_load_ratio&fn=avg&from=${base - 7_000}&to=${last + 1}&step=5m`,
      );
      expect(fb.series).toBe(fa.series);
      expect(fb.points.map((p: number[]) => p[0])).toEqual(fa.points.map((p: number[]) => p[0]));
      for (const [k, p] of fa.points.entries()) expect(fb.points[k][1]).toBeCloseTo(p[1], 6);
      const [la, lb] = await get('/api/v1/metrics/latest?metric=device_cpu_load_ratio');
      expect(lb).toEqual(la);
      const [ta, tb] = await get('/api/v1/metrics/top?kind=interfaces&window=10m&limit=3');
      expect(tb.items.map((i: { device: string; ifName: string }) => [i.device, i.ifName])).toEqual(
        ta.items.map((i: { device: string; ifName: string }) => [i.device, i.ifName]),
      );
    } finally {
      await app.close();
      ctx.close();
    }
  });
});
