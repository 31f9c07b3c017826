import { createMonitor, type Device, type Monitor } from '@ispmonitor/core';
import { createFakeLogger, driverPlugin, FakeClock } from '@ispmonitor/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { alerts } from '../src/index.js';
import { recorder } from './support/harness.js';

/** A driver whose devices answer until they are in `down`. */
function switchableDriver(down: Set<string>) {
  return driverPlugin({
    kind: 'switchable',
    poll: async (device) =>
      down.has(device.id)
        ? { samples: [], error: { code: 'TIMEOUT', message: 'no answer' } }
        : { samples: [{ name: 'device_cpu_load_ratio', labels: {}, value: 0.1, ts: Date.now() }] },
  });
}

let monitor: Monitor | undefined;
afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
});

describe('topology suppression from the device registry (through createMonitor and the scheduler)', () => {
  it('mutes children while their parent is unreachable by status, with no device-down rule marked', async () => {
    const down = new Set<string>();
    const rec = recorder();
    const clock = new FakeClock();
    const devices: Device[] = [{ id: 'olt', host: '127.0.0.1', driver: 'switchable', interval: '10s' }];
    for (let i = 0; i < 10; i++)
      devices.push({
        id: `onu-${i}`,
        host: '127.0.0.1',
        driver: 'switchable',
        interval: '10s',
        parent: 'olt',
      });
    monitor = await createMonitor({
      plugins: [
        switchableDriver(down),
        rec.plugin,
        alerts({
          // No `deviceDown` flag: suppression must come from the parent's status in the registry.
          rules: [
            {
              name: 'Unreachable',
              kind: 'device_status',
              status: ['unreachable', 'offline'],
              severity: 'critical',
            },
          ],
          receivers: [{ name: 'noc', use: ['rec'] }],
          route: { receiver: 'noc', group_by: ['device'], group_wait: '30s', group_interval: '1m' },
          evaluationInterval: '5s',
        }),
      ],
      devices,
      poller: { recheckInterval: '5s', downAfter: '5m', timeout: '2s' },
      clock,
      logger: createFakeLogger(),
    });
    await monitor.start();
    await clock.advance(30_000);
    expect(monitor.devices.counts().online).toBe(11);
    for (const d of devices) down.add(d.id);
    await clock.advance(3 * 60_000);
    expect(monitor.devices.get('olt')?.status).toBe('unreachable');
    const notified = rec.sent.flatMap((n) => n.alerts.map((a) => a.labels.device));
    expect(notified).toEqual(['olt']);
    // Children coming back and going is not news while the OLT is down; the OLT coming back is.
    down.delete('olt');
    await clock.advance(3 * 60_000);
    const after = rec.sent.slice(1).flatMap((n) => n.alerts.map((a) => `${a.status}:${a.labels.device}`));
    expect(after).toContain('resolved:olt');
    expect(after.filter((x) => x.startsWith('firing:onu-'))).toHaveLength(10);
  });
});
