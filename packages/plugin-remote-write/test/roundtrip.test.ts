/**
 * Round trips through real receivers (Debian's Prometheus 2.x and VictoriaMetrics): what the
 * plugin writes is read back with PromQL and equals what was sent; a receiver stopped and started
 * again loses nothing (the monitor's buffer and on-disk spool hold the samples meanwhile).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor, type Monitor, type Sample, systemClock } from '@ispmonitor/core';
import { createFakeLogger, driverPlugin } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { remoteWrite } from '../src/plugin.js';
import { PromSampleQuery } from '../src/promql/sample-query.js';
import {
  binaryMissing,
  PROMETHEUS_BIN,
  type Receiver,
  rawSeries,
  startPrometheus,
  startVictoria,
  VICTORIA_BIN,
} from './support/peers.js';
import { makeSink, metricValue } from './support/sink.js';

const receivers = [
  {
    name: 'prometheus',
    missing: binaryMissing(PROMETHEUS_BIN, 'prometheus'),
    start: startPrometheus,
    exact: true,
  },
  // VictoriaMetrics stores a block of a series' floats as int64 mantissas with one decimal exponent:
  // about 12 significant digits of the block's largest value.
  {
    name: 'victoria-metrics',
    missing: binaryMissing(VICTORIA_BIN, 'victoria-metrics'),
    start: startVictoria,
    exact: false,
  },
];

/** A driver whose every poll emits `rt_polls_total` and `rt_value` for its device, counting what it emitted. */
function countingDriver(emitted: Sample[]) {
  const n = new Map<string, number>();
  return driverPlugin({
    kind: 'rt',
    async poll(device) {
      const i = (n.get(device.id) ?? 0) + 1;
      n.set(device.id, i);
      const ts = Date.now();
      const samples: Sample[] = [
        { name: 'rt_polls_total', labels: { device: device.id }, value: i, ts },
        { name: 'rt_value', labels: { device: device.id, 'if-name': 'ether 1' }, value: i / 10, ts },
      ];
      emitted.push(...samples);
      return { samples };
    },
  });
}

describe.each(receivers)('round trip through $name', ({ missing, start, exact }) => {
  let rx: Receiver | undefined;
  beforeAll(async () => {
    if (!missing) rx = await start();
  }, 60_000);
  afterAll(async () => {
    await rx?.stop();
  });

  it.skipIf(missing)('reads back the values, poll timestamps and labels written', async () => {
    const r = rx as Receiver;
    const now = Date.now();
    const base = Math.floor(now / 1000) * 1000 - 10 * 60_000;
    const batch: Sample[] = [];
    const values = [0, 0.1, -3.25, 1e-9, 123456789.125, 2 ** 53 + 2, 2n ** 62n + 1n];
    for (const [d, device] of ['bey-core-1', 'bey-edge-2'].entries()) {
      for (const [i, v] of values.entries()) {
        batch.push({
          name: 'rt_exact_total',
          labels: { device, ifName: 'ether1/0', 'if.alias': 'uplink "A"', site: 'BEY' },
          value: typeof v === 'bigint' ? v + BigInt(d) : v + d,
          ts: base + i * 60_000 + 17,
        });
      }
    }
    const { sink, registry } = makeSink({ targets: [{ url: r.writeUrl }], shards: 2 }, systemClock);
    await sink.write(batch);
    await sink.close();
    expect(await metricValue(registry, 'ispmonitor_remote_write_samples_total')).toBe(batch.length);
    let got: Awaited<ReturnType<typeof rawSeries>> = [];
    await vi.waitFor(
      async () => {
        got = await rawSeries(r.base, 'rt_exact_total', now, '1h');
        expect(got.reduce((n, s) => n + s.points.length, 0)).toBe(batch.length);
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(got.map((s) => s.labels).sort((a, b) => (a.device ?? '').localeCompare(b.device ?? ''))).toEqual(
      ['bey-core-1', 'bey-edge-2'].map((device) => ({
        __name__: 'rt_exact_total',
        device,
        if_name: 'ether1/0',
        if_alias: 'uplink "A"',
        site: 'BEY',
      })),
    );
    // Read back by the monitor's reader: the catalogue's `ifName` under its sample name again.
    const reader = new PromSampleQuery({ url: r.base });
    const read = await reader.range({
      name: 'rt_exact_total',
      labels: { device: 'bey-core-1' },
      from: base,
      to: now,
      step: 60_000,
    });
    reader.close();
    expect(read.map((s) => s.labels)).toEqual([
      { device: 'bey-core-1', ifName: 'ether1/0', if_alias: 'uplink "A"', site: 'BEY' },
    ]);
    for (const series of got) {
      const sent = batch.filter((s) => s.labels.device === series.labels.device);
      expect(series.points.map(([t]) => t)).toEqual(sent.map((s) => s.ts));
      const scale = Math.max(...sent.map((s) => Math.abs(Number(s.value))));
      for (const [k, [, v]] of series.points.entries()) {
        const want = Number(sent[k]?.value);
        if (exact) expect(v).toBe(want);
        else
          expect(Math.abs(v - want), `${series.labels.device} #${k}: ${v} vs ${want}`).toBeLessThanOrEqual(
            scale * 1e-12,
          );
      }
    }
  });

  it.skipIf(missing)(
    'loses nothing while the receiver is stopped and started again',
    async () => {
      const r = rx as Receiver;
      const spool = mkdtempSync(join(tmpdir(), 'ispm-rw-spool-'));
      const emitted: Sample[] = [];
      const devices = ['o1', 'o2', 'o3'].map((id) => ({
        id,
        host: '127.0.0.1',
        driver: 'rt',
        interval: '250ms',
      }));
      let monitor: Monitor | undefined;
      try {
        monitor = await createMonitor({
          plugins: [
            countingDriver(emitted),
            remoteWrite({ targets: [{ url: r.writeUrl }], maxBackoff: '200ms' }),
          ],
          devices,
          // A buffer of 10 samples: most of the outage goes through the on-disk spool.
          sinks: { bufferLimit: 10, batchSize: 6, flushInterval: '100ms', spool: { dir: spool } },
          logger: createFakeLogger(),
        });
        await monitor.start();
        await vi.waitFor(() => expect(emitted.length).toBeGreaterThanOrEqual(12), { timeout: 10_000 });
        await r.pause();
        const atPause = emitted.length;
        await vi.waitFor(() => expect(emitted.length).toBeGreaterThanOrEqual(atPause + 60), {
          timeout: 20_000,
        });
        await r.resume();
        const atResume = emitted.length;
        await vi.waitFor(() => expect(emitted.length).toBeGreaterThanOrEqual(atResume + 12), {
          timeout: 10_000,
        });
        // The outage's samples come back from the spool while the monitor runs: wait until the
        // receiver holds every one emitted so far (on a loaded machine the replay takes a while; a
        // monitor stopped before that would keep the rest in its spool, for its next start).
        const sofar = emitted.filter((s) => s.name === 'rt_polls_total').length;
        await vi.waitFor(
          async () => {
            const got = await rawSeries(r.base, 'rt_polls_total', Date.now() + 1000, '1h');
            expect(got.reduce((n, s) => n + s.points.length, 0)).toBeGreaterThanOrEqual(sofar);
          },
          { timeout: 60_000, interval: 500 },
        );
        await monitor.stop();
        monitor = undefined;
        const want = emitted.filter((s) => s.name === 'rt_polls_total');
        await vi.waitFor(
          async () => {
            const got = await rawSeries(r.base, 'rt_polls_total', Date.now() + 1000, '1h');
            expect(got.reduce((n, s) => n + s.points.length, 0)).toBe(want.length);
            for (const id of ['o1', 'o2', 'o3']) {
              const series = got.find((s) => s.labels.device === id);
              const sent = want.filter((s) => s.labels.device === id);
              expect(series?.points).toEqual(sent.map((s) => [s.ts, s.value]));
            }
          },
          { timeout: 20_000, interval: 500 },
        );
      } finally {
        await monitor?.stop();
        rmSync(spool, { recursive: true, force: true });
      }
    },
    150_000,
  );
});
