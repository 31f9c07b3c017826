import type { Sample, Sink, SinkOptions } from '@ispmonitor/core';
import { FakeClock } from '@ispmonitor/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { metric } from './support/metric.js';
import { flakySink, producedBy, sinkMonitor } from './support/sink-monitor.js';

/** A monitor of `devices` devices writing to `sinks`, on a fake clock at 0. */
async function assemble(sinks: Sink[], sinkOptions: SinkOptions = {}, devices = 10) {
  const clock = new FakeClock(0);
  return { monitor: await sinkMonitor({ sinks, clock, sinkOptions, devices }), clock };
}

describe('sinks', () => {
  it('a failing sink is retried with backoff, blocks neither polling nor the other sink, and loses nothing', async () => {
    const good: Sample[] = [];
    const flaky = flakySink('flaky');
    const { monitor, clock } = await assemble(
      [{ name: 'good', write: async (b) => void good.push(...b) }, flaky.sink],
      { minBackoff: '1s', maxBackoff: '8s', flushInterval: '1s' },
    );
    const errors: string[] = [];
    const produced = producedBy(monitor);
    monitor.bus.on('sink:error', (e) => void errors.push(e.error.message));
    await monitor.start();
    await clock.advance(60_000);
    expect(good.length).toBeGreaterThanOrEqual(500);
    expect(flaky.stored.length).toBe(0);
    // Backoff (jittered, doubling to 8 s) gives far fewer attempts than the 60 flush ticks.
    expect(flaky.attempts).toBeGreaterThan(5);
    expect(flaky.attempts).toBeLessThanOrEqual(30);
    expect(errors[0]).toBe('database down');
    flaky.failing = false;
    await clock.advance(20_000);
    await monitor.stop();
    expect(good.length).toBe(produced());
    expect(flaky.stored.length).toBe(produced());
    expect(new Set(flaky.stored.map((s) => `${s.labels.device}/${s.labels.i ?? 'up'}/${s.ts}`)).size).toBe(
      produced(),
    );
  });

  it('counts every sample that overflows the buffer, exactly', async () => {
    const { monitor, clock } = await assemble(
      [
        {
          name: 'down',
          write: async () => {
            throw new Error('down');
          },
        },
      ],
      { bufferLimit: 250, minBackoff: '1s' },
    );
    await monitor.start();
    await clock.advance(30_000);
    // 10 devices × 3 polls × 10 samples = 300 produced, 250 kept.
    expect(await metric(monitor, 'ispmonitor_samples_dropped_total', { reason: 'overflow' })).toBe(50);
    expect(await monitor.metrics.getSingleMetricAsString('ispmonitor_sink_buffer_samples')).toMatch(
      /sink="down"\} 250/,
    );
    const stopped = monitor.stop();
    await clock.advance(10_000);
    await stopped;
    expect(await metric(monitor, 'ispmonitor_samples_dropped_total', { reason: 'shutdown' })).toBe(250);
  });

  it('stop() flushes what is buffered', async () => {
    const stored: Sample[] = [];
    const { monitor, clock } = await assemble([{ name: 'mem', write: async (b) => void stored.push(...b) }], {
      flushInterval: '1h',
      batchSize: 100_000,
    });
    await monitor.start();
    await clock.advance(10_000);
    expect(stored.length).toBe(0);
    await monitor.stop();
    expect(stored.length).toBe(100);
  });

  it('stop() retries a sink in a long backoff at once: the database came back, nothing is dropped', async () => {
    const db = flakySink('db');
    // The longest jitter every time: each backoff sleeps nearly its whole ceiling.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.999);
    try {
      const { monitor, clock } = await assemble([db.sink], {
        minBackoff: '500ms',
        maxBackoff: '30s',
        flushInterval: '200ms',
      });
      const produced = producedBy(monitor);
      await monitor.start();
      await clock.advance(60_000);
      // Right after a failed attempt: the sink now sleeps about 30 s before the next one.
      const seen = db.attempts;
      while (db.attempts === seen) await clock.advance(100);
      expect(db.attempts).toBeGreaterThanOrEqual(6);
      db.failing = false;
      const stopped = monitor.stop();
      for (let i = 0; i < 60; i++) await clock.advance(100);
      await stopped;
      expect(db.stored.length).toBe(produced());
      expect(await metric(monitor, 'ispmonitor_samples_dropped_total', { sink: 'db' })).toBe(0);
    } finally {
      random.mockRestore();
    }
  });

  it('a sink that fell behind catches up in writes of up to maxBatchSize', async () => {
    const batches: number[] = [];
    let release: () => void = () => {};
    const { monitor, clock } = await assemble(
      [
        {
          name: 'slow',
          write: async (b) => {
            batches.push(b.length);
            // The first write hangs until released: meanwhile samples pile up.
            if (batches.length === 1) await new Promise<void>((r) => (release = r));
          },
        },
      ],
      { batchSize: 10, maxBatchSize: 250, flushInterval: '100ms' },
      50,
    );
    await monitor.start();
    await clock.advance(100);
    // 50 devices × 10 samples a poll: 500 a round; the first write took what waited then.
    await clock.advance(20_000);
    expect(batches.length).toBe(1);
    release();
    await clock.advance(1_000);
    await monitor.stop();
    // Nothing lost, no write above 250.
    const total = batches.reduce((a, b) => a + b);
    expect(total).toBeGreaterThanOrEqual(1000);
    expect(await metric(monitor, 'ispmonitor_samples_written_total', { sink: 'slow' })).toBe(total);
    expect(await metric(monitor, 'ispmonitor_samples_dropped_total', { sink: 'slow' })).toBe(0);
    // At least 1,000 samples waited behind the first write (two rounds of polls): the writes
    // that followed took 250 each until the backlog was gone (batchSize alone would be 10).
    const behind = Math.floor((1000 - (batches[0] as number)) / 250);
    expect(batches.slice(1, 1 + behind)).toEqual(Array(behind).fill(250));
    expect(Math.max(...batches)).toBeLessThanOrEqual(250);
  });
});
