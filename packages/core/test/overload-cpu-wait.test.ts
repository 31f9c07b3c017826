/**
 * Lag from the monitor's own work or from a host short of CPU (#19): the overloaded state's health
 * entry says which, from the event loop's thread's scheduler times (Linux schedstat: time run,
 * time waited for a CPU). Fake times here: the reader and the meter's wall clock are the test's.
 */
import { existsSync } from 'node:fs';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Bus } from '../src/bus.js';
import {
  CpuWaitMeter,
  describeCpuWait,
  readThreadSchedstat,
  type ThreadTimes,
} from '../src/load/cpu-wait.js';
import { LoadMonitor } from '../src/load/load-monitor.js';
import { overloadOptionsSchema } from '../src/load/options.js';

/** A thread whose times the test moves: `spend(wallMs, runMs, waitMs)`. */
function fakeThread() {
  const t = { wallNs: 0, times: { runNs: 0, waitNs: 0 } as ThreadTimes };
  return {
    meter: new CpuWaitMeter(
      () => ({ ...t.times }),
      () => t.wallNs,
    ),
    spend(wallMs: number, runMs: number, waitMs: number) {
      t.wallNs += wallMs * 1e6;
      t.times.runNs += runMs * 1e6;
      t.times.waitNs += waitMs * 1e6;
    },
  };
}

describe('CPU wait meter', () => {
  it('reports the shares of the window going on, or the last closed one while the current is under 1 s', () => {
    const { meter, spend } = fakeThread();
    expect(meter.recent()).toBeUndefined();
    meter.roll();
    spend(5_000, 1_000, 4_000);
    // 5 s going on: run 20 %, wait 80 %.
    expect(meter.recent()).toEqual({ runShare: 0.2, waitShare: 0.8 });
    meter.roll();
    spend(500, 450, 0);
    // Half a second says too little: the closed window stands.
    expect(meter.recent()).toEqual({ runShare: 0.2, waitShare: 0.8 });
    spend(1_500, 50, 0);
    expect(meter.recent()).toEqual({ runShare: 0.25, waitShare: 0 });
    expect(meter.totalWaitSeconds).toBe(4);
  });

  it('keeps shares within 0–1 whatever the reader says (a thread counter never runs faster than the wall)', () => {
    const { meter, spend } = fakeThread();
    meter.roll();
    spend(1_000, 3_000, -500);
    expect(meter.recent()).toEqual({ runShare: 1, waitShare: 0 });
  });

  it('has nothing to say where the system does not tell the times', () => {
    const meter = new CpuWaitMeter(
      () => undefined,
      () => 0,
    );
    meter.roll();
    expect(meter.recent()).toBeUndefined();
    expect(meter.totalWaitSeconds).toBe(0);
  });

  it('names the host from a fifth of the time waited, the own work below', () => {
    expect(describeCpuWait({ runShare: 0.1, waitShare: 0.8 })).toBe(
      "the host is short of CPU: the monitor's thread waited for a CPU 80 % of the time (ran 10 %)",
    );
    expect(describeCpuWait({ runShare: 0.9, waitShare: 0.05 })).toBe(
      "the monitor's own work: its thread ran 90 % of the time, waited for a CPU 5 %",
    );
  });

  it.runIf(existsSync('/proc/thread-self/schedstat'))('reads this thread on Linux', () => {
    const a = readThreadSchedstat();
    const until = Date.now() + 20;
    while (Date.now() < until) {
      // running on purpose, so the run time grows
    }
    const b = readThreadSchedstat();
    expect(a && b && b.runNs > a.runNs).toBe(true);
    expect(CpuWaitMeter.forThisThread()).toBeInstanceOf(CpuWaitMeter);
  });
});

describe('the overloaded state names the cause', () => {
  function loadOn(meter: CpuWaitMeter | null) {
    const clock = new FakeClock(1_000_000);
    const registry = new Registry();
    const load = new LoadMonitor(
      overloadOptionsSchema.parse({ lag: '1s', clearAfter: '5s' }),
      10_000,
      clock,
      new Bus(() => {}),
      registry,
      createFakeLogger(),
      () => ({ count: 0, oldestWaitMs: 0 }),
      meter,
    );
    load.start();
    return { clock, load, registry };
  }

  it('a host short of CPU: health says so, with the shares, and the wait is a metric', async () => {
    const thread = fakeThread();
    const { clock, load, registry } = loadOn(thread.meter);
    await clock.advance(5_000);
    // The loop's thread waited 4 of the next 5 s for a CPU and ran 0.5 s; a block of 2 s (the
    // probe, due 100 ms after its last firing, fires 1.9 s late).
    thread.spend(5_000, 500, 4_000);
    clock.block(2_000);
    await clock.advance(3_000);
    expect(load.overloaded).toBe(true);
    const health = load.health();
    expect(health.status).toBe('warn');
    expect(health.message).toMatch(
      /event loop blocked for 1900 ms.*; the host is short of CPU: .* waited for a CPU 80 %/,
    );
    expect(health.details).toMatchObject({ cpuWaitShare: 0.8, cpuRunShare: 0.1 });
    const text = await registry.metrics();
    expect(text).toMatch(/^ispmonitor_event_loop_cpu_wait_seconds_total 4$/m);
    load.stop();
  });

  it("the monitor's own work: the thread ran, it did not wait", async () => {
    const thread = fakeThread();
    const { clock, load } = loadOn(thread.meter);
    await clock.advance(5_000);
    thread.spend(5_000, 4_500, 100);
    clock.block(1_500);
    await clock.advance(1_000);
    expect(load.overloaded).toBe(true);
    expect(load.health().message).toMatch(
      /; the monitor's own work: its thread ran 90 % of the time, waited for a CPU 2 %$/,
    );
    load.stop();
  });

  it('without scheduler times: the reason alone, no CPU figures, no CPU-wait metric', async () => {
    const { clock, load, registry } = loadOn(null);
    clock.block(1_500);
    await clock.advance(1_000);
    expect(load.overloaded).toBe(true);
    expect(load.health().message).toBe(
      'degraded: monitor overloaded: event loop blocked for 1400 ms (threshold 1000 ms)',
    );
    expect(load.health().details).not.toHaveProperty('cpuWaitShare');
    expect(await registry.metrics()).not.toMatch(/cpu_wait/);
    load.stop();
  });
});
