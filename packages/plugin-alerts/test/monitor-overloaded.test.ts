import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, type Harness, harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const overloaded = (h: Harness, on: boolean, reason = 'event loop blocked for 2300 ms (threshold 1000 ms)') =>
  h.monitor.bus.emit('monitor:overloaded', {
    overloaded: on,
    lagMs: 2300,
    backlog: 0,
    reason,
    ts: h.clock.now(),
  });

describe('MonitorOverloaded (the monitor alerting on itself)', () => {
  it('fires after 1 minute of monitor:overloaded, without a device label, with the reason, and resolves', async () => {
    h = await harness(baseOptions({ pack: { isp: true } }));
    overloaded(h, true);
    await h.advance(50_000);
    expect(h.api.list({ state: 'firing' })).toEqual([]);
    await h.advance(20_000);
    const [alert, ...rest] = h.api.list({ state: 'firing' });
    expect(rest).toEqual([]);
    expect(alert?.labels).toEqual({ alertname: 'MonitorOverloaded', severity: 'warning' });
    expect(alert?.annotations.reason).toBe('event loop blocked for 2300 ms (threshold 1000 ms)');
    expect(alert?.annotations.summary).toMatch(/the monitor itself is overloaded/);
    await h.advance(60_000);
    expect(h.sent.map((n) => `${n.status} ${n.commonLabels.alertname}`)).toEqual([
      'firing MonitorOverloaded',
    ]);

    overloaded(h, false, 'calm');
    await h.advance(2 * 60_000);
    expect(h.api.list({ state: 'firing' })).toEqual([]);
    expect(h.sent.map((n) => `${n.status} ${n.commonLabels.alertname}`)).toEqual([
      'firing MonitorOverloaded',
      'resolved MonitorOverloaded',
    ]);
  });

  it('a short overload (under a minute) raises nothing', async () => {
    h = await harness(baseOptions({ pack: { isp: true } }));
    overloaded(h, true);
    await h.advance(30_000);
    overloaded(h, false, 'calm');
    await h.advance(5 * 60_000);
    expect(h.api.list()).toEqual([]);
    expect(h.sent).toEqual([]);
  });

  it("core's own detector drives it: a loop blocked again and again fires it, calm resolves it", async () => {
    h = await harness(baseOptions({ rules: [{ name: 'Overloaded', kind: 'monitor', for: '30s' }] }));
    const states: boolean[] = [];
    h.monitor.bus.on('monitor:overloaded', (e) => void states.push(e.overloaded));
    for (let i = 0; i < 6; i++) {
      h.clock.block(3_000); // a busy-wait of 3 s every 10 s
      await h.advance(7_000);
    }
    expect(states).toEqual([true]);
    expect(h.api.list({ state: 'firing' }).map((a) => a.labels.alertname)).toEqual(['Overloaded']);
    await h.advance(60_000);
    expect(states).toEqual([true, false]);
    expect(h.api.list({ state: 'firing' })).toEqual([]);
  });
});
