import {
  createMonitor,
  type Device,
  type Driver,
  definePlugin,
  type Monitor,
  type PollResult,
  tokens,
} from '@ispmonitor/core';
import { createFakeLogger, driverPlugin, FakeClock, testDevices } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';

const ok = (): PollResult => ({ samples: [{ name: 'x', labels: {}, value: 1, ts: 0 }] });
async function monitorWith(driver: Driver, devices: Device[], poller = {}, clock = new FakeClock()) {
  const logger = createFakeLogger();
  const monitor = await createMonitor({ plugins: [driverPlugin(driver)], devices, poller, clock, logger });
  return { monitor, clock, logger };
}

/**
 * Starts the monitor, lets `ms` of fake time pass, then stops it: stop() lets polls in flight
 * finish, so time moves on by `graceMs` while it stops.
 */
async function runFor(monitor: Monitor, clock: FakeClock, ms: number, graceMs = 30_000) {
  await monitor.start();
  await clock.advance(ms);
  const stopped = monitor.stop();
  await clock.advance(graceMs);
  await stopped;
}

describe('scheduler on fake time', () => {
  it('spreads 1,000 devices at 60 s over the interval: no second holds more than twice the mean', async () => {
    const clock = new FakeClock(0);
    const perSecond = new Map<number, number>();
    const driver: Driver = {
      kind: 'count',
      poll: async () => {
        const s = Math.floor(clock.now() / 1000);
        perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
        return ok();
      },
    };
    const { monitor } = await monitorWith(
      driver,
      testDevices(1000, 'count', { interval: '60s' }),
      { concurrency: 1000 },
      clock,
    );
    await monitor.start();
    await clock.advance(60_000);
    await monitor.stop();
    const counts = [...perSecond.values()];
    const total = counts.reduce((a, b) => a + b, 0);
    expect(total).toBe(1000);
    const mean = total / 60;
    expect(Math.max(...counts)).toBeLessThanOrEqual(2 * mean);
    expect(perSecond.size).toBeGreaterThanOrEqual(58);
  });

  it('never runs more polls at once than the concurrency limit, and serves every device in turn', async () => {
    const clock = new FakeClock(0);
    let inFlight = 0;
    let peak = 0;
    const served = new Set<string>();
    const driver: Driver = {
      kind: 'slow',
      poll: async (device) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise<void>((r) => clock.setTimeout(r, 20_000));
        inFlight--;
        served.add(device.id);
        return ok();
      },
    };
    // 100 devices of 20 s polls every 60 s need 33 slots; 10 are given.
    const { monitor } = await monitorWith(
      driver,
      testDevices(100, 'slow', { interval: '60s' }),
      { concurrency: 10, timeout: '30s' },
      clock,
    );
    await runFor(monitor, clock, 600_000);
    expect(peak).toBe(10);
    expect(served.size).toBe(100);
  });

  it('cuts a hung driver off at the timeout and gives its slot to the next device', async () => {
    const clock = new FakeClock(0);
    const polled: string[] = [];
    const driver: Driver = {
      kind: 'hang',
      poll: (device) => {
        polled.push(device.id);
        return device.id === 'dev-0' ? new Promise(() => {}) : Promise.resolve(ok());
      },
    };
    const devices = testDevices(2, 'hang', { interval: '60s' });
    const { monitor } = await monitorWith(driver, devices, { concurrency: 1, timeout: '2s' }, clock);
    const failures: Array<{ id: string; code: string; at: number }> = [];
    monitor.bus.on(
      'poll:failure',
      (e) => void failures.push({ id: e.device.id, code: e.error.code, at: clock.now() }),
    );
    await monitor.start();
    await clock.advance(62_000);
    expect(failures[0]).toMatchObject({ id: 'dev-0', code: 'ISPM_POLL_TIMEOUT' });
    expect(polled).toContain('dev-1');
    expect(monitor.devices.get('dev-1')?.status).toBe('online');
    expect(monitor.devices.get('dev-0')?.status).toBe('unreachable');
    await monitor.stop();
  });

  it('a throwing driver or listener stops nothing else', async () => {
    const driver: Driver = {
      kind: 'mixed',
      poll: async (device) => {
        if (device.id === 'dev-0') throw new Error('boom');
        return ok();
      },
    };
    const { monitor, clock, logger } = await monitorWith(
      driver,
      testDevices(3, 'mixed', { interval: '10s' }),
    );
    let later = 0;
    monitor.bus.on('samples', () => {
      throw new Error('listener broke');
    });
    monitor.bus.on('samples', () => void later++);
    await monitor.start();
    await clock.advance(30_000);
    expect(monitor.devices.get('dev-0')?.lastError?.message).toBe('boom');
    expect(monitor.devices.get('dev-1')?.status).toBe('online');
    expect(monitor.devices.get('dev-2')?.status).toBe('online');
    expect(later).toBeGreaterThanOrEqual(9);
    expect(logger.text()).toContain('event listener failed');
    const metrics = await monitor.metrics.getSingleMetricAsString('ispmonitor_listener_errors_total');
    expect(metrics).toMatch(/ispmonitor_listener_errors_total\{event="samples"\} (9|1\d)/);
    await monitor.stop();
  });

  it('moves unreachable → offline → online at the configured times', async () => {
    const clock = new FakeClock(0);
    let up = true;
    const driver: Driver = {
      kind: 'flaky',
      poll: async () => (up ? ok() : { samples: [], error: { code: 'DOWN', message: 'no answer' } }),
    };
    const device: Device = { id: 'r1', host: '127.0.0.1', driver: 'flaky', interval: '60s' };
    const { monitor } = await monitorWith(
      driver,
      [device],
      { recheckInterval: '10s', downAfter: '2m' },
      clock,
    );
    const changes: Array<{ status: string; at: number }> = [];
    monitor.bus.on('device:status', (e) => void changes.push({ status: e.status, at: e.ts }));
    await monitor.start();
    await clock.advance(60_000);
    expect(changes.map((c) => c.status)).toEqual(['online']);
    const firstPoll = changes[0]!.at;
    up = false;
    await clock.advance(60_000);
    const failAt = firstPoll + 60_000;
    expect(changes[1]).toEqual({ status: 'unreachable', at: failAt });
    await clock.advance(120_000);
    expect(changes[2]).toEqual({ status: 'offline', at: failAt + 120_000 });
    up = true;
    await clock.advance(60_000);
    expect(changes[3]?.status).toBe('online');
    // Offline devices are polled on their regular grid, so recovery is seen within one interval.
    expect(changes[3]!.at - (failAt + 120_000)).toBeLessThanOrEqual(60_000);
    await monitor.stop();
  });

  it('skips and counts a slot that comes while the previous poll still runs', async () => {
    const clock = new FakeClock(0);
    let inFlight = 0;
    let overlap = false;
    const driver: Driver = {
      kind: 'long',
      poll: async () => {
        if (++inFlight > 1) overlap = true;
        await new Promise<void>((r) => clock.setTimeout(r, 25_000));
        inFlight--;
        return ok();
      },
    };
    const { monitor } = await monitorWith(
      driver,
      testDevices(1, 'long', { interval: '10s' }),
      { timeout: '30s' },
      clock,
    );
    await runFor(monitor, clock, 100_000);
    expect(overlap).toBe(false);
    const text = await monitor.metrics.getSingleMetricAsString('ispmonitor_poll_overruns_total');
    // Its own poll outlasted the interval: the device's slowness, not a monitor behind.
    const overruns = Number(text.match(/ispmonitor_poll_overruns_total\{reason="running"\} (\d+)/)?.[1]);
    expect(overruns).toBeGreaterThanOrEqual(5);
    expect(text).toMatch(/ispmonitor_poll_overruns_total\{reason="queued"\} 0$/m);
  });

  it('adds, changes and removes devices while running', async () => {
    const clock = new FakeClock(0);
    const polled: string[] = [];
    const driver: Driver = {
      kind: 'live',
      poll: async (d) => {
        polled.push(`${d.id}@${d.host}`);
        return ok();
      },
    };
    const { monitor } = await monitorWith(driver, [], {}, clock);
    await monitor.start();
    await monitor.devices.add({ id: 'a', host: '127.0.0.1', driver: 'live', interval: '10s' });
    await clock.advance(1);
    expect(polled).toEqual(['a@127.0.0.1']);
    await monitor.devices.update('a', { host: '127.0.0.2' });
    await clock.advance(10_000);
    expect(polled.at(-1)).toBe('a@127.0.0.2');
    await monitor.devices.remove('a');
    const before = polled.length;
    await clock.advance(60_000);
    expect(polled.length).toBe(before);
    expect(monitor.devices.list()).toEqual([]);
    await monitor.stop();
  });

  it('stop() waits for polls in flight', async () => {
    const clock = new FakeClock(0);
    const order: string[] = [];
    let inPoll: () => void = () => {};
    const polling = new Promise<void>((r) => (inPoll = r));
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const driver: Driver = {
      kind: 'wait',
      poll: async () => {
        inPoll();
        await gate;
        order.push('poll finished');
        return ok();
      },
    };
    const { monitor } = await monitorWith(driver, testDevices(1, 'wait', { interval: '1s' }), {}, clock);
    await monitor.start();
    const ticking = clock.advance(1000);
    await polling;
    const stopping = monitor.stop().then(() => void order.push('stopped'));
    // Everything stop() can do without the poll runs now (a few turns): it must still be waiting.
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    release();
    await stopping;
    await ticking;
    expect(order).toEqual(['poll finished', 'stopped']);
  });
});

describe('pollNow', () => {
  it('polls a device at once instead of at its next slot, and never twice at once', async () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const driver: Driver = {
      kind: 'trap',
      poll: async () => {
        at.push(clock.now());
        await new Promise<void>((r) => clock.setTimeout(r, 1000));
        return ok();
      },
    };
    const { monitor } = await monitorWith(driver, testDevices(1, 'trap', { interval: '5m' }), {}, clock);
    await monitor.start();
    await clock.advance(300_000);
    expect(at.length).toBe(1);
    const before = clock.now();
    expect(monitor.devices.pollNow('dev-0')).toBe(true);
    expect(monitor.devices.pollNow('dev-0')).toBe(true);
    await clock.advance(10);
    expect(monitor.devices.pollNow('dev-0')).toBe(true);
    await clock.advance(5000);
    expect(at.length).toBe(2);
    expect(at[1]! - before).toBeLessThan(10);
    expect(monitor.devices.pollNow('nope')).toBe(false);
    const stopped = monitor.stop();
    await clock.advance(2000);
    await stopped;
  });
});

describe('ownership (scale-out)', () => {
  it('polls only the devices this replica owns, and picks up a device as soon as it owns it', async () => {
    const clock = new FakeClock(0);
    const polled = new Set<string>();
    const owned = new Set(['dev-0', 'dev-1']);
    const driver: Driver = {
      kind: 'own',
      poll: async (d) => {
        polled.add(d.id);
        return ok();
      },
    };
    const ownership = definePlugin({
      name: 'own',
      version: '1.0.0',
      setup: (ctx) => ctx.provide(tokens.Ownership, { replica: 'r-a', owns: (id) => owned.has(id) }),
    });
    const monitor = await createMonitor({
      plugins: [driverPlugin(driver), ownership()],
      devices: testDevices(4, 'own', { interval: '10s' }),
      clock,
      logger: createFakeLogger(),
    });
    await monitor.start();
    await clock.advance(20_000);
    expect([...polled].sort()).toEqual(['dev-0', 'dev-1']);
    owned.add('dev-3');
    await clock.advance(10_000);
    expect(polled.has('dev-3')).toBe(true);
    expect(polled.has('dev-2')).toBe(false);
    await monitor.stop();
  });
});
