import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Monitor, Sample, Sink } from '@ispmonitor/core';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { metric } from './support/metric.js';
import { producedBy, sinkMonitor, smallBufferSpool } from './support/sink-monitor.js';

const root = mkdtempSync(join(tmpdir(), 'ispm-spool-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** 10 devices polled every 10 s, ten samples a poll, a small buffer spooling to `dir`. */
async function assemble(sink: Sink, dir: string, clock: FakeClock) {
  const logger = createFakeLogger();
  const sinkOptions = smallBufferSpool(dir);
  return { monitor: await sinkMonitor({ sinks: [sink], clock, sinkOptions, logger }), logger };
}

const gauge = (monitor: Monitor, name: string) => metric(monitor, name, { sink: 'db' });

const key = (s: Sample) => `${s.labels.device}/${s.labels.i ?? 'up'}/${s.ts}`;

/** Advances fake time in steps until `check` holds (the spool's file work runs on real I/O). */
async function until(clock: FakeClock, check: () => boolean | Promise<boolean>): Promise<void> {
  await vi.waitFor(
    async () => {
      await clock.advance(1_000);
      expect(await check()).toBe(true);
    },
    { timeout: 20_000, interval: 20 },
  );
}

describe('sink buffer with an on-disk spool', () => {
  it('while the sink is down, what the buffer cannot hold waits on disk; all of it is stored once it is back', async () => {
    const dir = join(root, 'a');
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    const stored: Sample[] = [];
    let down = true;
    const { monitor } = await assemble(
      {
        name: 'db',
        write: async (b) => {
          if (down) throw new Error('database down');
          stored.push(...b);
        },
      },
      dir,
      clock,
    );
    const produced = producedBy(monitor);
    await monitor.start();
    await clock.advance(60_000);
    await until(clock, async () => (await gauge(monitor, 'ispmonitor_sink_spool_bytes')) > 0);
    expect(produced()).toBeGreaterThan(500);
    expect(await gauge(monitor, 'ispmonitor_sink_spool_oldest_age_seconds')).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'db')).some((f) => f.endsWith('.spool'))).toBe(true);
    down = false;
    // Polling goes on meanwhile: compare at one instant, once the spool is empty and all is stored.
    await until(
      clock,
      async () => stored.length === produced() && (await gauge(monitor, 'ispmonitor_sink_spool_bytes')) === 0,
    );
    expect(new Set(stored.map(key)).size).toBe(produced());
    const dropped = await monitor.metrics.getSingleMetricAsString('ispmonitor_samples_dropped_total');
    expect(dropped).not.toMatch(/sink="db"[^\n]* [1-9]/);
    const stopped = monitor.stop();
    await clock.advance(10_000);
    await stopped;
  });

  it('at stop the buffer goes to the spool instead of being dropped; the next start writes it back', async () => {
    const dir = join(root, 'b');
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    const first = await assemble(
      {
        name: 'db',
        write: async () => {
          throw new Error('database down');
        },
      },
      dir,
      clock,
    );
    const produced = producedBy(first.monitor);
    await first.monitor.start();
    await clock.advance(30_000);
    const stopped = first.monitor.stop();
    await clock.advance(30_000);
    await stopped;
    expect(produced()).toBeGreaterThan(0);
    expect(
      await first.monitor.metrics.getSingleMetricAsString('ispmonitor_samples_dropped_total'),
    ).not.toMatch(/sink="db"[^\n]* [1-9]/);

    const stored: Sample[] = [];
    const second = await assemble({ name: 'db', write: async (b) => void stored.push(...b) }, dir, clock);
    // Not started, so nothing is polled: only what the first run spooled arrives.
    await until(clock, () => stored.length >= produced());
    expect(new Set(stored.filter((s) => s.ts <= Date.UTC(2030, 0, 1) + 30_000).map(key)).size).toBe(
      produced(),
    );
    expect(second.logger.records.some((r) => r.msg.includes('writing back samples spooled before'))).toBe(
      true,
    );
    const done = second.monitor.stop();
    await clock.advance(10_000);
    await done;
  });
  it('a write still running when the buffer goes to the spool at stop is not a failure; records hold one write each', async () => {
    const dir = join(root, 'c');
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // A buffer large enough that only stop() spools it, written back in batches of 20.
    const sinkOptions = {
      bufferLimit: 10_000,
      batchSize: 20,
      maxBatchSize: 20,
      flushInterval: '1s',
      spool: { dir },
    };
    let began = false;
    const logger = createFakeLogger();
    const first = await sinkMonitor({
      sinks: [
        {
          name: 'db',
          // The first write hangs until the test releases it, after stop spooled the buffer.
          write: async () => {
            began = true;
            await gate;
          },
        },
      ],
      clock,
      logger,
      sinkOptions,
    });
    const produced = producedBy(first);
    await first.start();
    await until(clock, () => began);
    await clock.advance(30_000);
    expect(produced()).toBeGreaterThan(100);
    const stopped = first.stop();
    // Past the stop deadline: the buffer moves to the spool while the write still runs.
    await clock.advance(60_000);
    release();
    await stopped;
    const failures = await first.metrics.getSingleMetricAsString('ispmonitor_sink_write_failures_total');
    expect(failures).not.toMatch(/sink="db"[^\n]* [1-9]/);
    expect(logger.records.filter((r) => r.msg.includes('sink write failed'))).toEqual([]);

    const writes: number[] = [];
    const stored: Sample[] = [];
    const second = await sinkMonitor({
      sinks: [
        {
          name: 'db',
          write: async (b) => {
            writes.push(b.length);
            stored.push(...b);
          },
        },
      ],
      clock,
      sinkOptions,
    });
    // Not started: only what the first run spooled arrives, one record a write.
    await until(clock, () => new Set(stored.map(key)).size >= produced());
    expect(new Set(stored.map(key)).size).toBe(produced());
    expect(Math.max(...writes)).toBeLessThanOrEqual(20);
    const done = second.stop();
    await clock.advance(10_000);
    await done;
  });
});
