import type { Device } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { metric, overloadMonitor } from './overload-support.js';

const healthy = ['h-0', 'h-1', 'h-2', 'h-3'];
const fleet = (extra: Device[] = []): Device[] => [
  ...healthy.map((id) => ({ id, host: '127.0.0.1', driver: 'net', interval: '60s' })),
  { id: 'hog', host: '127.0.0.1', driver: 'hog', interval: '1h' },
  ...extra,
];

type Harness = Awaited<ReturnType<typeof overloadMonitor>>;

/** Puts the given devices' polls in flight (requests sent, replies not read yet), then the hog blocks the loop. */
async function blockWhilePolling(h: Harness, ids: string[], blockMs: number): Promise<void> {
  for (const id of ids) h.monitor.devices.pollNow(id);
  await h.clock.advance(60);
  for (const id of ids) expect(h.net.outstanding(id)).toBe(1);
  h.hog.blockMs = blockMs;
  h.monitor.devices.pollNow('hog');
  await h.clock.advance(60);
  h.hog.blockMs = 0;
}

const only = (events: string[], prefix: string) => events.filter((e) => e.startsWith(prefix));

describe('overload on fake time: a blocked loop is not a device failure', () => {
  it('gives a poll the time the loop was blocked back: the late timeout waits, the reply is read, the poll succeeds', async () => {
    const h = await overloadMonitor(fleet());
    await h.monitor.start();
    await h.run(60_000);
    expect(h.rec.events).toEqual(expect.arrayContaining(healthy.map((id) => `status ${id} online`)));
    h.rec.events.length = 0;

    await blockWhilePolling(h, healthy, 15_000);
    await h.clock.advance(0); // due timers first (as Node does): the timeouts fire 5 s late
    h.net.read(); // then the sockets
    await h.clock.advance(0);

    expect(h.rec.events).toEqual(['overloaded true']);
    expect(h.rec.overloads[0]).toMatchObject({ overloaded: true, backlog: 0 });
    expect(h.rec.overloads[0]?.lagMs).toBeGreaterThanOrEqual(14_000);
    expect(h.rec.overloads[0]?.reason).toMatch(/^event loop blocked for \d+ ms/);
    expect(await metric(h.monitor, 'ispmonitor_poll_timeout_extensions_total')).toBe(4);
    expect(await metric(h.monitor, 'ispmonitor_poller_overloaded')).toBe(1);
    expect(await metric(h.monitor, 'ispmonitor_event_loop_lag_seconds')).toBeGreaterThanOrEqual(14);
    for (const id of healthy) expect(h.monitor.devices.get(id)?.status).toBe('online');

    const report = await h.monitor.health();
    expect(report.status).toBe('warn');
    expect(report.checks.overload).toMatchObject({ status: 'warn', critical: false });
    expect(report.checks.overload?.message).toMatch(/^degraded: monitor overloaded: event loop blocked/);
    expect(await h.monitor.isReady()).toBe(true);

    // 30 s calm (clearAfter) and the state clears.
    await h.run(40_000);
    expect(h.rec.events).toEqual(['overloaded true', 'overloaded false']);
    expect(h.rec.overloads[1]?.reason).toMatch(
      /no skipped poll and no slot dropped by the monitor's fault for 30000 ms/,
    );
    expect(await metric(h.monitor, 'ispmonitor_poller_overloaded')).toBe(0);
    expect((await h.monitor.health()).checks.overload?.status).toBe('pass');
    await h.monitor.stop();
  });

  it('retries once at once a poll the block outlasted (timeout × maxStretch), and the retry succeeds', async () => {
    const h = await overloadMonitor(fleet());
    await h.monitor.start();
    await h.run(60_000);
    const before = new Map(healthy.map((id) => [id, h.net.sent.get(id) ?? 0]));
    h.rec.events.length = 0;

    await blockWhilePolling(h, healthy, 40_000); // beyond 10 s × 3
    await h.clock.advance(0);
    h.net.read();
    await h.clock.advance(0);

    expect(h.rec.events).toEqual(['overloaded true']);
    for (const id of healthy) {
      expect((h.net.sent.get(id) ?? 0) - (before.get(id) ?? 0)).toBe(2);
      expect(h.monitor.devices.get(id)?.status).toBe('online');
    }
    expect(await metric(h.monitor, 'ispmonitor_polls_skipped_total', { reason: 'overloaded' })).toBe(0);
    await h.monitor.stop();
  });

  it('records a poll whose retry is blocked too as skipped: no failure, no status change, no device_up', async () => {
    const h = await overloadMonitor(fleet());
    await h.monitor.start();
    await h.run(60_000);
    const up = new Map(healthy.map((id) => [id, h.rec.deviceUp.get(id)?.length ?? 0]));
    const lastPoll = new Map(healthy.map((id) => [id, h.monitor.devices.get(id)?.lastPollAt]));
    h.rec.events.length = 0;

    await blockWhilePolling(h, healthy, 40_000);
    await h.clock.advance(0); // first attempts overloaded: retried at once
    for (const id of healthy) expect(h.net.outstanding(id)).toBe(1);
    h.clock.block(40_000); // the hog holds the loop again
    await h.clock.advance(0);

    expect(only(h.rec.events, 'failure')).toEqual([]);
    expect(only(h.rec.events, 'status')).toEqual([]);
    expect(only(h.rec.events, 'skipped').sort()).toEqual(healthy.map((id) => `skipped ${id} overloaded`));
    expect(h.rec.events[0]).toBe('overloaded true');
    expect(await metric(h.monitor, 'ispmonitor_polls_skipped_total', { reason: 'overloaded' })).toBe(4);
    expect(await metric(h.monitor, 'ispmonitor_routers_polled_total', { result: 'failure' })).toBe(0);
    for (const id of healthy) {
      const state = h.monitor.devices.get(id);
      expect(state?.status).toBe('online');
      expect(state?.lastPollAt).toBe(lastPoll.get(id));
      expect(state?.lastError).toBeUndefined();
      expect(h.rec.deviceUp.get(id)?.length).toBe(up.get(id));
    }

    // The loop is free again: the devices are polled at their next slot, and the state clears.
    await h.run(60_000);
    expect(only(h.rec.events, 'failure')).toEqual([]);
    expect(only(h.rec.events, 'overloaded')).toEqual(['overloaded true', 'overloaded false']);
    for (const id of healthy) expect(h.rec.deviceUp.get(id)?.at(-1)).toBe(1);
    await h.monitor.stop();
  });

  it("judges a driver's own late timer the same way: its error during a block is retried, not a failure", async () => {
    const h = await overloadMonitor(
      fleet([{ id: 'snmpish', host: '127.0.0.1', driver: 'own-timer', interval: '60s' }]),
    );
    await h.monitor.start();
    await h.run(60_000);
    h.rec.events.length = 0;
    const sent = h.net.sent.get('snmpish') ?? 0;

    await blockWhilePolling(h, ['snmpish'], 15_000);
    await h.clock.advance(0); // its 2 s request timer fires 13 s late: "no reply"
    h.net.read();
    await h.clock.advance(0);

    expect(h.rec.events).toEqual(['overloaded true']);
    expect((h.net.sent.get('snmpish') ?? 0) - sent).toBe(2);
    expect(h.monitor.devices.get('snmpish')?.status).toBe('online');
    await h.monitor.stop();
  });

  it('a device that does not answer goes unreachable on a free loop, and only after its whole budget of free time', async () => {
    const h = await overloadMonitor(
      fleet([{ id: 'dead', host: '127.0.0.1', driver: 'net', interval: '60s' }]),
      {
        recheckInterval: '1h',
      },
    );
    h.net.dead.add('dead');
    await h.monitor.start();
    h.monitor.devices.pollNow('dead');
    const began = h.clock.now();
    await h.run(20_000);
    expect(only(h.rec.events, 'overloaded')).toEqual([]);
    expect(only(h.rec.events, 'failure')).toEqual(['failure dead ISPM_POLL_TIMEOUT']);
    expect(h.monitor.devices.get('dead')?.status).toBe('unreachable');
    expect(h.monitor.devices.get('dead')?.lastPollAt).toBe(began + 10_000);
    h.rec.events.length = 0;

    // Blocked 15 s into a poll: the device still gets 10 s of free loop before it is blamed.
    await blockWhilePolling(h, ['dead'], 15_000);
    const blockedAt = h.clock.now();
    await h.run(9_000);
    expect(only(h.rec.events, 'failure')).toEqual([]);
    await h.run(2_000);
    expect(only(h.rec.events, 'failure')).toEqual(['failure dead ISPM_POLL_TIMEOUT']);
    expect(h.monitor.devices.get('dead')?.lastError?.message).toMatch(
      /^poll timed out after 10000 ms \(\d+ ms wall time, \d+ ms event loop blocked\)$/,
    );
    const failedAt = h.monitor.devices.get('dead')?.lastPollAt ?? 0;
    expect(failedAt - blockedAt).toBeGreaterThan(9_000);
    expect(failedAt - blockedAt).toBeLessThanOrEqual(10_200);
    h.net.dead.clear();
    const stopped = h.monitor.stop();
    await h.run(100);
    await stopped;
  });

  it('counts a backlog (every slot busy) as overload, with its own reason, and skips nothing for it', async () => {
    const slow = ['s-0', 's-1', 's-2', 's-3', 's-4'].map((id) => ({
      id,
      host: '127.0.0.1',
      driver: 'slow',
      interval: '1h',
    }));
    const h = await overloadMonitor(slow, { concurrency: 1 });
    await h.monitor.start();
    for (const d of slow) h.monitor.devices.pollNow(d.id);
    await h.run(21_000); // 5 polls of 4 s, one at a time: the last waits 16 s
    expect(h.rec.overloads[0]).toMatchObject({ overloaded: true });
    expect(h.rec.overloads[0]?.backlog).toBeGreaterThanOrEqual(1);
    expect(h.rec.overloads[0]?.reason).toMatch(/polls waiting for a free slot, the oldest for \d+ ms/);
    await h.run(40_000);
    expect(only(h.rec.events, 'overloaded')).toEqual(['overloaded true', 'overloaded false']);
    expect(only(h.rec.events, 'skipped')).toEqual([]);
    expect(only(h.rec.events, 'failure')).toEqual([]);
    for (const d of slow) expect(h.monitor.devices.get(d.id)?.status).toBe('online');
    await h.monitor.stop();
  });

  it('rejects invalid overload options with the field named', async () => {
    await expect(overloadMonitor(fleet(), { overload: { maxStretch: 0.5 } })).rejects.toThrow(
      /poller\.overload: maxStretch/,
    );
  });
});
