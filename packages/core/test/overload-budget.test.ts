import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ispmonitor/core';
import { FakeClock } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { blockedTooLong, timeoutVerdict } from '../src/load/budget.js';
import { LoopProbe, type ProbeTick } from '../src/load/loop-probe.js';

describe('timeout budget (device time, not timer time)', () => {
  it('times out on time when the loop was free', () => {
    expect(timeoutVerdict(10_000, 0, 10_000, 3)).toEqual({ kind: 'timeout' });
  });

  it('gives blocked time back: waits for the rest of the budget', () => {
    // 12 s since the poll began, 9 s of it blocked: the device had 3 s of its 10.
    expect(timeoutVerdict(12_000, 9_000, 10_000, 3)).toEqual({ kind: 'wait', ms: 7_000 });
  });

  it('never waits past the wall-clock limit (timeout × maxStretch)', () => {
    expect(timeoutVerdict(25_000, 22_000, 10_000, 3)).toEqual({ kind: 'wait', ms: 5_000 });
    expect(timeoutVerdict(30_000, 27_000, 10_000, 3)).toEqual({ kind: 'overloaded' });
  });

  it('is a device timeout once the device had its whole budget, however much was blocked', () => {
    expect(timeoutVerdict(25_000, 15_000, 10_000, 3)).toEqual({ kind: 'timeout' });
  });

  it('with maxStretch 1 a blocked poll at the timeout is overloaded, never a wait', () => {
    expect(timeoutVerdict(10_000, 5_000, 10_000, 1)).toEqual({ kind: 'overloaded' });
  });

  it('waits at least 1 ms, so sockets are read before the next decision', () => {
    expect(timeoutVerdict(10_000, 0.2, 10_000, 3)).toEqual({ kind: 'wait', ms: 1 });
  });

  it('counts a driver error as overload only when the loop was blocked for its share, and 100 ms at least', () => {
    expect(blockedTooLong(2_000, 600, 0.25)).toBe(true);
    expect(blockedTooLong(2_000, 400, 0.25)).toBe(false);
    expect(blockedTooLong(50, 50, 0.25)).toBe(false);
  });
});

describe('loop probe', () => {
  function probeOn(clock: FakeClock) {
    const ticks: ProbeTick[] = [];
    const probe = new LoopProbe(clock, 60_000, (t) => void ticks.push(t));
    probe.start();
    return { probe, ticks };
  }

  it('sees no blocked time while timers fire on time', async () => {
    const clock = new FakeClock(0);
    const { probe, ticks } = probeOn(clock);
    await clock.advance(1_000);
    expect(ticks.length).toBe(10);
    expect(ticks.every((t) => t.lagMs === 0)).toBe(true);
    expect(probe.blockedBetween(0, clock.now())).toBe(0);
    probe.stop();
  });

  it('logs a block as soon as it ends, and answers for any stretch of time', async () => {
    const clock = new FakeClock(0);
    const { probe, ticks } = probeOn(clock);
    await clock.advance(1_000); // probe last fired at 1000, next due at 1100
    clock.block(5_000); // now 6000
    // Still blocked: the probe is overdue, and that counts before it has fired.
    expect(probe.blockedBetween(0, 6_000)).toBe(4_900);
    await clock.advance(0);
    expect(ticks.at(-1)).toEqual({ now: 6_000, lagMs: 4_900 });
    expect(probe.blockedBetween(0, 6_000)).toBe(4_900);
    expect(probe.blockedBetween(2_000, 3_000)).toBe(1_000);
    expect(probe.blockedBetween(6_000, 7_000)).toBe(0);
    expect(probe.blockedTotalMs).toBe(4_900);
    probe.stop();
  });

  it("counts a caller's own late timer, without counting anything twice", async () => {
    const clock = new FakeClock(0);
    const { probe } = probeOn(clock);
    await clock.advance(1_050); // probe fired at 1000, due 1100
    clock.block(2_000); // now 3050
    // A timer due at 1060 is firing now: blocked since 1060 (earlier than the probe's due time).
    expect(probe.blockedBetween(1_000, 3_050, 1_060)).toBe(1_990);
    expect(probe.blockedBetween(1_000, 3_050)).toBe(1_950);
    probe.stop();
  });

  it('ignores timer jitter of up to 10 ms', async () => {
    const clock = new FakeClock(0);
    const { probe } = probeOn(clock);
    await clock.advance(90);
    clock.block(20); // the probe fires 10 ms late
    await clock.advance(0);
    expect(probe.blockedTotalMs).toBe(0);
    probe.stop();
  });
});

describe('poller.overload in the config file', () => {
  async function configFile(text: string): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), 'ispm-overload-')), 'config.yaml');
    await writeFile(path, text);
    return path;
  }

  it('has its defaults without a word in the file, and takes durations as written', async () => {
    const { config } = await loadConfig(undefined, { env: {} });
    expect(config.poller.overload).toEqual({
      lag: 1_000,
      backlogWait: 10_000,
      clearAfter: 30_000,
      maxStretch: 3,
      blockedShare: 0.25,
      droppedSlots: 5,
    });
    const path = await configFile('poller:\n  overload:\n    lag: 2s\n    maxStretch: 5\n');
    const { config: set } = await loadConfig(path, { env: {} });
    expect(set.poller.overload).toMatchObject({ lag: 2_000, maxStretch: 5, clearAfter: 30_000 });
  });

  it('names the file, line and field of a bad value', async () => {
    const path = await configFile('poller:\n  overload:\n    blockedShare: 2\n');
    await expect(loadConfig(path, { env: {} })).rejects.toThrow(
      /config\.yaml:3: poller\.overload\.blockedShare/,
    );
  });
});
