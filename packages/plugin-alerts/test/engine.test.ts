import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, type Harness, harness } from './support/harness.js';

const cpuRule = {
  name: 'HighCpu',
  metric: 'device_cpu_load_ratio',
  op: '>' as const,
  threshold: 0.9,
  resolveThreshold: 0.8,
  for: '1m',
  severity: 'warning',
  annotations: { summary: 'CPU of {{ device }} at {{ value | percent }}' },
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const cpu = (h: Harness, device: string, value: number) =>
  h.samples(device, [{ name: 'device_cpu_load_ratio', value }]);

describe('rule evaluation', () => {
  it('goes pending, fires after `for`, notifies after group_wait, and resolves with hysteresis', async () => {
    h = await harness(baseOptions({ rules: [cpuRule] }));
    cpu(h, 'r1', 0.95);
    expect(h.api.list({ state: 'pending' })).toHaveLength(1);
    await h.advance(30_000);
    cpu(h, 'r1', 0.96);
    expect(h.api.list({ state: 'firing' })).toHaveLength(0);
    await h.advance(30_000);
    cpu(h, 'r1', 0.97);
    const [firing] = h.api.list({ state: 'firing' });
    // The 60 s evaluation tick fired it (for elapsed) with the value it had then.
    expect(firing?.annotations.summary).toBe('CPU of r1 at 96%');
    expect(h.sent).toHaveLength(0);
    await h.advance(10_000);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.status).toBe('firing');
    expect(h.sent[0]?.alerts[0]?.labels).toMatchObject({
      alertname: 'HighCpu',
      device: 'r1',
      severity: 'warning',
    });
    // 0.85 is below the threshold but above the resolve threshold: still firing (hysteresis).
    cpu(h, 'r1', 0.85);
    expect(h.api.counts()).toMatchObject({ firing: 1, bySeverity: { warning: 1 } });
    await h.advance(1000);
    cpu(h, 'r1', 0.5);
    expect(h.api.counts().firing).toBe(0);
    expect(h.api.list({ state: 'resolved' })).toHaveLength(1);
    await h.advance(60_000);
    expect(h.sent.map((n) => n.status)).toEqual(['firing', 'resolved']);
  });

  it('drops a pending alert that recovers before `for` without notifying', async () => {
    h = await harness(baseOptions({ rules: [cpuRule] }));
    cpu(h, 'r1', 0.95);
    await h.advance(20_000);
    cpu(h, 'r1', 0.2);
    await h.advance(120_000);
    expect(h.api.list()).toHaveLength(0);
    expect(h.sent).toHaveLength(0);
  });

  it('forgets a pending alert whose series went silent instead of firing it blind', async () => {
    h = await harness(baseOptions({ rules: [{ ...cpuRule, for: '30m' }] }));
    cpu(h, 'r1', 0.95);
    await h.advance(11 * 60_000);
    expect(h.api.list()).toHaveLength(0);
    await h.advance(30 * 60_000);
    expect(h.sent).toHaveLength(0);
  });

  it('fires from the evaluation tick when `for` elapses between samples, and keeps firing for keep_firing_for', async () => {
    h = await harness(baseOptions({ rules: [{ ...cpuRule, for: '20s', keep_firing_for: '2m' }] }));
    cpu(h, 'r1', 0.95);
    await h.advance(25_000);
    expect(h.api.counts().firing).toBe(1);
    cpu(h, 'r1', 0.1);
    await h.advance(60_000);
    expect(h.api.counts().firing).toBe(1);
    await h.advance(70_000);
    expect(h.api.counts().firing).toBe(0);
  });

  it('groups alerts by the route group_by and sends one notification per group', async () => {
    h = await harness(
      baseOptions({
        rules: [{ ...cpuRule, for: 0 }],
        route: { receiver: 'noc', group_by: ['alertname'], group_wait: '10s', group_interval: '1m' },
      }),
    );
    for (const d of ['a', 'b', 'c']) cpu(h, d, 0.99);
    await h.advance(10_000);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.alerts).toHaveLength(3);
    expect(h.sent[0]?.groupLabels).toEqual({ alertname: 'HighCpu' });
    cpu(h, 'd', 0.99);
    await h.advance(30_000);
    expect(h.sent).toHaveLength(1);
    await h.advance(30_000);
    expect(h.sent).toHaveLength(2);
    expect(h.sent[1]?.alerts).toHaveLength(4);
  });

  it('repeats after repeat_interval and follows child routes with continue', async () => {
    h = await harness(
      baseOptions({
        rules: [{ ...cpuRule, for: 0, labels: { team: 'core' } }],
        receivers: [
          { name: 'noc', use: ['rec'] },
          { name: 'core', use: ['rec'] },
          { name: 'audit', use: ['rec'] },
        ],
        route: {
          receiver: 'noc',
          group_wait: '0s',
          group_interval: '1m',
          repeat_interval: '10m',
          routes: [
            { matchers: '{team="core"}', receiver: 'core', continue: true },
            { matchers: [{ name: 'severity', value: 'warn.*', type: '=~' }], receiver: 'audit' },
            { matchers: '{team="core"}', receiver: 'noc' },
          ],
        },
      }),
    );
    cpu(h, 'r1', 0.99);
    await h.advance(1000);
    expect(h.sent.map((n) => n.receiver).sort()).toEqual(['audit', 'core']);
    await h.advance(9 * 60_000);
    expect(h.sent).toHaveLength(2);
    await h.advance(60_000);
    expect(h.sent).toHaveLength(4);
  });

  it('drives device-status rules from device:status events', async () => {
    h = await harness(
      baseOptions({
        rules: [
          {
            name: 'DeviceDown',
            kind: 'device_status',
            for: '1m',
            severity: 'critical',
            annotations: { summary: '{{ device }} down' },
          },
        ],
      }),
    );
    h.monitor.bus.emit('poll:failure', {
      device: { id: 'r1', host: '127.0.0.1', driver: 'test' },
      durationMs: 10_000,
      error: { code: 'ISPM_POLL_TIMEOUT', message: 'no answer within 10s' },
    });
    h.status('r1', 'unreachable');
    await h.advance(30_000);
    h.status('r1', 'offline');
    expect(h.api.counts().firing).toBe(0);
    await h.advance(40_000);
    expect(h.api.counts().bySeverity).toEqual({ critical: 1 });
    await h.advance(10_000);
    expect(h.sent[0]?.alerts[0]?.annotations).toEqual({
      summary: 'r1 down',
      status: 'offline',
      error: 'ISPM_POLL_TIMEOUT: no answer within 10s',
    });
    h.status('r1', 'online');
    await h.advance(60_000);
    expect(h.sent.map((n) => n.status)).toEqual(['firing', 'resolved']);
  });

  it('evaluates absent() on the tick and updates the active-alerts gauge', async () => {
    h = await harness(
      baseOptions({
        rules: [{ name: 'NoData', metric: 'device_up', fn: 'absent', window: '2m', op: '==', threshold: 1 }],
      }),
    );
    h.samples('r1', [{ name: 'device_up', value: 1 }]);
    await h.advance(60_000);
    expect(h.api.counts().firing).toBe(0);
    await h.advance(70_000);
    expect(h.api.counts().firing).toBe(1);
    const text = await h.monitor.metrics.metrics();
    expect(text).toMatch(/ispmonitor_alerts_active\{severity="warning"\} 1/);
    h.samples('r1', [{ name: 'device_up', value: 1 }]);
    expect(h.api.counts().firing).toBe(0);
  });
});

describe('hostile input', () => {
  it('skips malformed samples and keeps evaluating the good ones in the same batch', async () => {
    h = await harness(baseOptions({ rules: [{ ...cpuRule, for: 0 }] }));
    const device = { id: 'r1', host: '127.0.0.1', driver: 'test' };
    const ts = h.clock.now();
    const bad = [
      null,
      { name: 'device_cpu_load_ratio', value: 0.99, ts },
      { name: 'device_cpu_load_ratio', labels: { device: 'r1' }, value: Number.NaN, ts },
      { name: 'device_cpu_load_ratio', labels: { device: 'r1' }, value: '0.99', ts },
      { name: 'device_cpu_load_ratio', labels: { device: 'r1' }, value: 0.99, ts: Number.NaN },
      { name: 42, labels: {}, value: 1, ts },
    ];
    const good = {
      name: 'device_cpu_load_ratio',
      labels: { device: 'r2', ifName: '{{ value }}\u0000' },
      value: 0.99,
      ts,
    };
    h.monitor.bus.emit('samples', { device, samples: [...bad, good] as never });
    expect(h.api.list().map((a) => a.labels.device)).toEqual(['r2']);
    await h.advance(10_000);
    expect(h.sent).toHaveLength(1);
  });
});

describe('flapping', () => {
  it('notifies a flapping alert once, not at every change, and resolves it after a quiet window', async () => {
    h = await harness(
      baseOptions({
        rules: [{ ...cpuRule, for: 0, resolveThreshold: undefined }],
        route: { receiver: 'noc', group_wait: '0s', group_interval: '1s' },
        flapping: { threshold: 3, window: '10m', quiet: '5m' },
      }),
    );
    for (let i = 0; i < 40; i++) {
      cpu(h, 'r1', i % 2 === 0 ? 0.99 : 0.1);
      await h.advance(15_000);
    }
    // Changes 1..3 are notified normally (firing, resolved, firing); from the 4th the alert flaps.
    expect(h.sent.map((n) => n.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(h.api.list()[0]?.flapping).toBe(true);
    await h.advance(4 * 60_000);
    expect(h.sent).toHaveLength(3);
    await h.advance(2 * 60_000);
    expect(h.sent.map((n) => n.status)).toEqual(['firing', 'resolved', 'firing', 'resolved']);
    expect(h.api.list({ state: 'firing' })).toHaveLength(0);
  });
});
