import type { Device } from '@ispmonitor/core';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Bus } from '../src/bus.js';
import { LoadMonitor } from '../src/load/load-monitor.js';
import { overloadOptionsSchema } from '../src/load/options.js';
import { metric, overloadMonitor } from './overload-support.js';

/**
 * The fourth overload signal: poll slots dropped because the device's previous poll was still
 * waiting for a free slot (the monitor behind), told apart from slots dropped because the previous
 * poll still ran (a slow device). On fake time, with the event loop free throughout, so the lag
 * never moves, and `backlogWait` out of reach, so no other signal can be what raised the state.
 */
const devices = (n: number, driver: string, interval: string): Device[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${driver}-${i}`, host: '127.0.0.1', driver, interval }));

const overruns = (h: Awaited<ReturnType<typeof overloadMonitor>>, reason: string) =>
  metric(h.monitor, 'ispmonitor_poll_overruns_total', { reason });

/** Stops the monitor; its polls in flight finish on fake time meanwhile. */
async function stopAll(h: Awaited<ReturnType<typeof overloadMonitor>>): Promise<void> {
  const stopped = h.monitor.stop();
  await h.run(15_000);
  await stopped;
}

const only = (events: string[], prefix: string) => events.filter((e) => e.startsWith(prefix));

describe('overload from slots dropped behind queued polls', () => {
  it('a starved drain raises it, naming the cause in the event and /health; it clears once the drain keeps up', async () => {
    // 4 routers every 5 s, polls of 4 s, one at a time: 16 s of polling due every 5 s.
    const fleet = devices(4, 'paced', '5s');
    const h = await overloadMonitor(fleet, { concurrency: 1, overload: { backlogWait: '1h' } });
    await h.monitor.start();
    await h.run(30_000);
    expect(h.rec.overloads[0]).toMatchObject({ overloaded: true });
    expect(h.rec.overloads[0]?.reason).toMatch(
      /^\d+ poll slots dropped in the last 10 s because the router's previous poll had not finished: \d+ still waiting for a free slot \(\d+ polls waiting now\) \(threshold 5\)$/,
    );
    expect(await overruns(h, 'queued')).toBeGreaterThanOrEqual(5);
    expect(await overruns(h, 'running')).toBe(0);
    const report = await h.monitor.health();
    expect(report.checks.overload?.status).toBe('warn');
    expect(report.checks.overload?.message).toMatch(/^degraded: monitor overloaded: \d+ poll slots dropped/);
    expect(await metric(h.monitor, 'ispmonitor_poller_overloaded')).toBe(1);

    // Polls of 100 ms: the queue empties within one interval and no slot is dropped from then on.
    h.pace.ms = 100;
    await h.run(10_000);
    const droppedAfterCatchUp = await overruns(h, 'queued');
    expect((await h.monitor.health()).checks.overload?.status).toBe('warn');
    await h.run(30_000);
    expect(await overruns(h, 'queued')).toBe(droppedAfterCatchUp);
    expect(only(h.rec.events, 'overloaded')).toEqual(['overloaded true', 'overloaded false']);
    expect(h.rec.overloads[1]?.reason).toMatch(/no slot dropped by the monitor's fault for 30000 ms/);
    expect((await h.monitor.health()).checks.overload?.status).toBe('pass');
    expect(await metric(h.monitor, 'ispmonitor_poller_overloaded')).toBe(0);
    // Nothing was the routers' fault: no failure, nothing skipped, every one online.
    expect(only(h.rec.events, 'failure')).toEqual([]);
    expect(only(h.rec.events, 'skipped')).toEqual([]);
    for (const d of fleet) expect(h.monitor.devices.get(d.id)?.status).toBe('online');
    await stopAll(h);
  });

  it('a slow device alone never raises it: its dropped slots are counted as running', async () => {
    // Polls of 12 s every 5 s (timeout 30 s): each poll outlasts two slots, with free slots to spare.
    const fleet = devices(3, 'paced', '5s');
    const h = await overloadMonitor(fleet, { timeout: '30s' });
    h.pace.ms = 12_000;
    await h.monitor.start();
    await h.run(120_000);
    expect(await overruns(h, 'running')).toBeGreaterThanOrEqual(3 * 10);
    expect(await overruns(h, 'queued')).toBe(0);
    expect(h.rec.overloads).toEqual([]);
    expect((await h.monitor.health()).checks.overload?.status).toBe('pass');
    for (const d of fleet) expect(h.monitor.devices.get(d.id)?.status).toBe('online');
    await stopAll(h);
  });

  it('rejects a threshold that is not a positive whole number, with the field named', async () => {
    await expect(overloadMonitor([], { overload: { droppedSlots: 0 } })).rejects.toThrow(
      /poller\.overload: .*droppedSlots/,
    );
    await expect(overloadMonitor([], { overload: { droppedSlots: 2.5 } })).rejects.toThrow(
      /poller\.overload: .*droppedSlots/,
    );
  });

  it('threshold and hysteresis: 5 in 10 s raise it, any fresh one holds it, 30 s without clears it', async () => {
    const clock = new FakeClock(0);
    const bus = new Bus(() => {});
    const seen: Array<{ overloaded: boolean; reason: string }> = [];
    bus.on('monitor:overloaded', (e) => void seen.push({ overloaded: e.overloaded, reason: e.reason }));
    // The scheduler's running totals of slots dropped behind queued and running polls, moved by the test.
    let dropped = 0;
    let running = 0;
    const load = new LoadMonitor(
      overloadOptionsSchema.parse({}),
      10_000,
      clock,
      bus,
      new Registry(),
      createFakeLogger(),
      () => ({ count: 0, oldestWaitMs: 0, queuedOverruns: dropped, runningOverruns: running }),
      null,
    );
    load.start();
    // 4 in 10 s, one every 2.5 s, for a minute: under the threshold, nothing raised.
    for (let i = 0; i < 24; i++) {
      dropped++;
      await clock.advance(2_500);
    }
    expect(seen).toEqual([]);
    // 5 within 10 s: raised.
    dropped += 5;
    await clock.advance(200);
    expect(load.overloaded).toBe(true);
    expect(seen[0]?.reason).toMatch(/^\d+ poll slots dropped in the last 10 s/);
    // One every 20 s, under the threshold but fresh within `clearAfter` (30 s): it holds.
    for (let i = 0; i < 5; i++) {
      await clock.advance(20_000);
      dropped++;
    }
    await clock.advance(200);
    expect(load.overloaded).toBe(true);
    // None for 30 s: cleared, once.
    await clock.advance(29_000);
    expect(load.overloaded).toBe(true);
    await clock.advance(1_200);
    expect(load.overloaded).toBe(false);
    expect(seen.map((e) => e.overloaded)).toEqual([true, false]);

    // Behind running polls, on a free loop: slow devices, however many — nothing.
    running += 20;
    await clock.advance(5_000);
    expect(load.overloaded).toBe(false);
    // On a loop held 400 ms of every 1 s (about 35 % after the probe's own slack, never long
    // enough for the lag signal): the monitor's.
    for (let i = 0; i < 10; i++) {
      clock.block(400);
      await clock.advance(600);
    }
    running += 5;
    await clock.advance(100);
    expect(load.overloaded).toBe(true);
    expect(seen.at(-1)?.reason).toMatch(
      /^5 poll slots dropped in the last 10 s because the router's previous poll had not finished: 5 still running while the event loop was blocked \d+ % of the time \(threshold 25 %\) \(threshold 5\)$/,
    );
    load.stop();
  });
});
