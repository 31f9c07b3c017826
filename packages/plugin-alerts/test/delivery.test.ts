import { setTimeout as realSleep } from 'node:timers/promises';
import type { BusEvents } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import type { SendResult } from '../src/index.js';
import { stopAfterEach } from './support/cleanup.js';
import { baseOptions, type Harness, harness } from './support/harness.js';
import { startReceiver } from './support/receiver.js';

const rule = { name: 'HighCpu', metric: 'device_cpu_load_ratio', op: '>' as const, threshold: 0.9 };
const keep = stopAfterEach();

/** Moves the fake clock in steps, letting real loopback HTTP finish between steps. */
async function run(h: Harness, ms: number, step = 1000) {
  for (let t = 0; t < ms; t += step) {
    await h.advance(step);
    await realSleep(8);
  }
}

describe('at-least-once delivery', () => {
  it('a webhook receiver answering 500 for 60 s still gets the alert afterwards, exactly once', async () => {
    const receiver = keep(await startReceiver());
    const h = keep(
      await harness(
        baseOptions({
          rules: [rule],
          receivers: [{ name: 'noc', webhook: [{ url: `${receiver.url}/hook`, allowLoopback: true }] }],
          route: { receiver: 'noc', group_wait: '0s', group_interval: '10s' },
        }),
      ),
    );
    const events: Array<BusEvents['notification:failed']> = [];
    h.monitor.bus.on('notification:failed', (e) => void events.push(e));
    const start = h.clock.now();
    const clock = h.clock;
    receiver.respond(() => (clock.now() - start < 60_000 ? { status: 500 } : { status: 200 }));
    h.samples('r1', [{ name: 'device_cpu_load_ratio', value: 0.99 }]);
    await run(h, 4 * 60_000);
    const ok = receiver.requests.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(receiver.requests.length).toBeGreaterThan(3);
    // Every attempt carries the same webhook-id, so a receiver can drop duplicates.
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(events.every((e) => !e.final)).toBe(true);
    const gaps = receiver.requests
      .slice(1)
      .map(
        (r, i) =>
          Number(r.headers['webhook-timestamp']) - Number(receiver.requests[i]?.headers['webhook-timestamp']),
      );
    expect(gaps.at(-1)).toBeGreaterThan(gaps[0] ?? 0);
    const metrics = await h.monitor.metrics.metrics();
    expect(metrics).toMatch(/ispmonitor_notifications_total\{integration="noc\/webhook\/0"\} 1/);
    expect(metrics).toMatch(
      new RegExp(
        `ispmonitor_notifications_failed_total\\{integration="noc/webhook/0"\\} ${receiver.requests.length - 1}`,
      ),
    );
    expect(metrics).toMatch(
      /ispmonitor_notification_duration_seconds_count\{integration="noc\/webhook\/0"\} \d+/,
    );
  });

  it('does not retry a 4xx answer, and honours 429 Retry-After', async () => {
    const h = keep(
      await harness(
        baseOptions({ rules: [rule], route: { receiver: 'noc', group_wait: '0s', group_interval: '1h' } }),
      ),
    );
    const attempts: number[] = [];
    const results: SendResult[] = [
      { ok: false, retry: true, error: 'HTTP 429', retryAfterMs: 45_000 },
      { ok: false, retry: false, error: 'HTTP 400' },
    ];
    const hh = h;
    h.rec.state.result = () => {
      attempts.push(hh.clock.now());
      return results.shift() ?? { ok: true };
    };
    const failed: Array<BusEvents['notification:failed']> = [];
    h.monitor.bus.on('notification:failed', (e) => void failed.push(e));
    h.samples('r1', [{ name: 'device_cpu_load_ratio', value: 0.99 }]);
    await h.advance(30 * 60_000);
    expect(attempts).toHaveLength(2);
    expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBe(45_000);
    expect(failed.map((e) => e.final)).toEqual([false, true]);
    expect(h.sent).toHaveLength(0);
  });

  it('resumes undelivered notifications from the outbox after a restart, without repeating delivered ones', async () => {
    const { memoryStateStore } = await import('../src/index.js');
    const { FakeClock } = await import('@ispmonitor/core/testing');
    const store = memoryStateStore();
    const clock = new FakeClock();
    const first = await harness(
      baseOptions({ rules: [rule], route: { receiver: 'noc', group_wait: '0s' } }),
      { store, clock },
    );
    first.rec.state.result = () => ({ ok: false, retry: true, error: 'down' });
    first.samples('r1', [{ name: 'device_cpu_load_ratio', value: 0.99 }]);
    await first.advance(5_000);
    await first.stop();
    expect(first.sent).toHaveLength(0);
    const h = keep(
      await harness(baseOptions({ rules: [rule], route: { receiver: 'noc', group_wait: '0s' } }), {
        store,
        clock,
      }),
    );
    await h.advance(5_000);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.status).toBe('firing');
    await h.advance(60 * 60_000);
    // No repeat of the firing one; the series went silent, so (after 10 min) its resolve follows.
    expect(h.sent.map((n) => n.status)).toEqual(['firing', 'resolved']);
  });
});
