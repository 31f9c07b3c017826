import type { Device } from '@ispmonitor/core';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { SelfMetrics } from '../src/metrics/self.js';
import type { PollOutcome } from '../src/scheduler/run-poll.js';
import { Scheduler } from '../src/scheduler/scheduler.js';

/**
 * Whose fault a dropped slot is, on fake time: polls end when the test says (`finish`), so every
 * state — waiting for a free slot, running, failing — is set by hand, not by durations.
 */
function harness(concurrency: number) {
  const clock = new FakeClock(0);
  const metrics = new SelfMetrics(() => ({ unknown: 0, online: 0, unreachable: 0, offline: 0 }));
  const pending = new Map<string, Array<(o: PollOutcome) => void>>();
  const scheduler = new Scheduler(
    { intervalMs: 10_000, concurrency, recheckMs: 60_000, downAfterMs: 600_000 },
    clock,
    metrics,
    createFakeLogger(),
    {
      owns: () => true,
      poll: (entry) =>
        new Promise<PollOutcome>((resolve) => {
          const list = pending.get(entry.device.id) ?? [];
          list.push(resolve);
          pending.set(entry.device.id, list);
        }),
      completed: () => {},
      skipped: () => {},
    },
  );
  /** Ends the device's oldest poll in flight, as a success or a failure. */
  const finish = async (id: string, ok = true) => {
    pending.get(id)?.shift()?.(
      ok
        ? { ok, durationMs: 0, attempts: 1 }
        : { ok, durationMs: 0, attempts: 1, error: { code: 'TIMEOUT', message: 'no reply' } },
    );
    await clock.advance(0);
  };
  const dropped = async (reason: string) => {
    const { values } = await metrics.overruns.get();
    return values.find((v) => v.labels.reason === reason)?.value ?? 0;
  };
  const add = (id: string) =>
    scheduler.upsert({ id, host: '127.0.0.1', driver: 'x' } as Device, 10_000, true);
  return { clock, scheduler, finish, dropped, add };
}

describe('dropped slots, by whose fault', () => {
  // One device, first poll answered or failed, then a poll that hangs for `hangMs`.
  it.each([
    { first: 'answered', ok: true, hangMs: 30_000, running: 2, offered: 2 },
    // A failing device's hanging poll is silent on its own account: never offered.
    { first: 'failed', ok: false, hangMs: 70_000, running: 1, offered: 0 },
  ])(
    'first poll $first, the next hangs: running drops, $offered offered to the load monitor',
    async ({ ok, hangMs, running, offered }) => {
      const h = harness(10);
      h.add('a');
      h.scheduler.start();
      await h.clock.advance(100);
      await h.finish('a', ok);
      await h.clock.advance(hangMs); // the next poll starts on its slot and hangs through slots
      expect(await h.dropped('running')).toBeGreaterThanOrEqual(running);
      expect(await h.dropped('queued')).toBe(0);
      expect(h.scheduler.backlog()).toMatchObject({ queuedOverruns: 0, runningOverruns: offered });
      await h.finish('a');
      await h.scheduler.stop();
    },
  );

  it('a poll that waited for a free slot, or waited half the gap and then ran into the next slot: queued', async () => {
    const h = harness(1);
    h.add('a');
    h.add('b');
    h.scheduler.start();
    await h.clock.advance(100); // a runs, b waits
    await h.clock.advance(9_950); // both slots come again: a runs (running), b still waits (queued)
    expect(await h.dropped('queued')).toBe(1);
    expect(await h.dropped('running')).toBe(1);
    await h.finish('a'); // b starts after waiting about 10 s, half the gap and more
    await h.clock.advance(10_000); // b's next slot comes while it runs: its wait is why
    expect(await h.dropped('queued')).toBeGreaterThanOrEqual(2);
    expect(h.scheduler.backlog().queuedOverruns).toBe(await h.dropped('queued'));
    await h.finish('a');
    await h.finish('b');
    await h.finish('b');
    const stopped = h.scheduler.stop();
    await h.finish('a');
    await h.finish('b');
    await stopped;
  });
});
