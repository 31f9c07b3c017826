/**
 * A poller worker's event-loop lag counts as the monitor's own (#19): the worker reports the
 * largest lag since its last heartbeat, and the overload detector enters the state for it,
 * naming the worker, and clears it on the main probe's schedule once the worker is calm.
 */
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Bus } from '../src/bus.js';
import { LoadMonitor } from '../src/load/load-monitor.js';
import { overloadOptionsSchema } from '../src/load/options.js';

describe('worker lag and the overloaded state', () => {
  it("enters on a worker's lag past the threshold, naming the worker, and clears after clearAfter", async () => {
    const clock = new FakeClock(1_000_000);
    const bus = new Bus(() => {});
    const events: Array<{ overloaded: boolean; reason: string }> = [];
    bus.on('monitor:overloaded', (e) => void events.push({ overloaded: e.overloaded, reason: e.reason }));
    const load = new LoadMonitor(
      overloadOptionsSchema.parse({ lag: '1s', clearAfter: '5s' }),
      10_000,
      clock,
      bus,
      new Registry(),
      createFakeLogger(),
      () => ({ count: 0, oldestWaitMs: 0 }),
    );
    load.start();
    // Below the threshold: nothing.
    load.workerLag(1, 400);
    expect(load.overloaded).toBe(false);
    load.workerLag(1, 1_500);
    expect(load.overloaded).toBe(true);
    expect(events).toEqual([
      { overloaded: true, reason: expect.stringMatching(/poller worker 1: event loop blocked for 1500 ms/) },
    ]);
    expect(load.health().message).toMatch(/poller worker 1/);
    // Calm again: the main probe's ticks clear the state after clearAfter.
    await clock.advance(6_000);
    expect(load.overloaded).toBe(false);
    expect(events.at(-1)?.overloaded).toBe(false);
    load.stop();
  });
});
