import { createMonitor, definePlugin, type Monitor, type Sample, tokens } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { describe, expect, it, vi } from 'vitest';

/** A plugin with a driver and a sink that keeps what it is given. */
const recorder = definePlugin({
  name: 'recorder',
  version: '1.0.0',
  setup(ctx) {
    const stored: Sample[] = [];
    ctx.provide(tokens.Driver, {
      kind: 'tick',
      poll: async (device) => ({
        samples: [
          { name: 'tick_total', labels: {}, value: Date.now(), ts: Date.now(), device: device.id } as Sample,
        ],
      }),
    });
    ctx.provide(tokens.Sink, { name: 'memory', write: async (batch) => void stored.push(...batch) });
    ctx.provide(tokens.StateStore, {
      get: async <T>() => stored.length as T,
      set: async () => {},
      delete: async () => {},
      list: async () => [],
    });
  },
});

async function make(prefix: string): Promise<Monitor> {
  return createMonitor({
    plugins: [recorder()],
    devices: [1, 2, 3].map((i) => ({
      id: `${prefix}-${i}`,
      host: '127.0.0.1',
      driver: 'tick',
      interval: '200ms',
    })),
    sinks: { flushInterval: '50ms' },
    logger: createFakeLogger(),
  });
}

/** Polls every 200 ms: only a hung monitor gets near this. */
const GUARD = { timeout: 15_000, interval: 20 };

describe('two monitors in one process (real time)', () => {
  it("share nothing: stopping one leaves the other polling, and neither sees the other's series", async () => {
    const a = await make('a');
    const b = await make('b');
    const seenByA = new Set<string>();
    const seenByB = new Set<string>();
    a.bus.on('samples', (e) => {
      for (const s of e.samples) seenByA.add(s.labels.device as string);
    });
    b.bus.on('samples', (e) => {
      for (const s of e.samples) seenByB.add(s.labels.device as string);
    });
    const polled = async (m: Monitor) =>
      Number((await m.metrics.getSingleMetric('ispmonitor_routers_polled_total')?.get())?.values[0]?.value);
    await a.start();
    await b.start();
    // Both have polled each of their devices; the deadlines only catch a hung run.
    await vi.waitFor(() => expect(seenByA.size + seenByB.size).toBe(6), GUARD);
    await a.stop();
    const bPollsBefore = await polled(b);
    // B goes on polling after A stopped.
    await vi.waitFor(async () => expect(await polled(b)).toBeGreaterThan(bPollsBefore), GUARD);
    expect([...seenByA].sort()).toEqual(['a-1', 'a-2', 'a-3']);
    expect([...seenByB].sort()).toEqual(['b-1', 'b-2', 'b-3']);
    const metricsA = await a.metrics.metrics();
    const metricsB = await b.metrics.metrics();
    expect(metricsA).toMatch(/ispmonitor_routers_total\{status="online"\} 3/);
    expect(metricsB).toMatch(/ispmonitor_routers_total\{status="online"\} 3/);
    expect(a.resolve(tokens.Sink)).not.toBe(b.resolve(tokens.Sink));
    expect(await b.resolve(tokens.StateStore).get('x', 'y')).toBeGreaterThan(0);
    await b.devices.add({ id: 'b-4', host: '127.0.0.1', driver: 'tick' });
    expect(a.devices.get('b-4')).toBeUndefined();
    await b.stop();
  });
});
