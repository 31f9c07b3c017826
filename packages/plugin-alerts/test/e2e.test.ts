import { createMonitor } from '@ispmonitor/core';
import { createFakeLogger, driverPlugin, testPlugin } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { alerts, alertsApi } from '../src/index.js';
import { stopAfterEach } from './support/cleanup.js';
import { type Received, startReceiver } from './support/receiver.js';

/** A tiny driver whose CPU reading the test sets. */
function cpuDriver(state: { cpu: number }) {
  return driverPlugin({
    kind: 'cpu',
    poll: async (device) => ({
      samples: [
        {
          name: 'device_cpu_load_ratio',
          labels: { device: device.id },
          value: state.cpu,
          ts: Date.now(),
        },
      ],
    }),
  });
}

/** A webhook request whose payload has this status (`firing` or `resolved`). */
const withStatus = (status: string) => (r: Received) => (r.body as { status?: string })?.status === status;

const keep = stopAfterEach();

describe('end to end on real time', () => {
  it('polls through createMonitor, fires, signs and delivers a webhook, then resolves', async () => {
    const receiver = keep(await startReceiver());
    const state = { cpu: 0.99 };
    const monitor = keep(
      await createMonitor({
        plugins: [
          cpuDriver(state),
          alerts({
            rules: [
              {
                name: 'HighCpu',
                metric: 'device_cpu_load_ratio',
                op: '>',
                threshold: 0.9,
                resolveThreshold: 0.8,
                severity: 'critical',
              },
            ],
            receivers: [
              {
                name: 'noc',
                webhook: [
                  {
                    url: `${receiver.url}/hook`,
                    allowLoopback: true,
                    secrets: [`whsec_${Buffer.from('k'.repeat(32)).toString('base64')}`],
                  },
                ],
              },
            ],
            route: { receiver: 'noc', group_by: ['device'], group_wait: '100ms', group_interval: '200ms' },
            evaluationInterval: '100ms',
          }),
        ],
        devices: [{ id: 'r1', host: '127.0.0.1', driver: 'cpu', interval: '200ms' }],
        poller: { timeout: '1s' },
        logger: createFakeLogger(),
      }),
    );
    await monitor.start();
    const firing = await receiver.received(withStatus('firing'));
    expect(firing.headers['webhook-signature']).toMatch(/^v1,/);
    expect(
      (firing.body as { alerts?: Array<{ labels: Record<string, string> }> } | undefined)?.alerts?.[0]
        ?.labels,
    ).toMatchObject({
      alertname: 'HighCpu',
      device: 'r1',
    });
    expect(monitor.resolve(alertsApi).counts().bySeverity).toEqual({ critical: 1 });
    state.cpu = 0.1;
    const resolved = await receiver.received(withStatus('resolved'));
    // Fired once, then resolved: in that order.
    expect(receiver.requests.filter(withStatus('firing'))).toEqual([firing]);
    expect(receiver.requests.indexOf(firing)).toBeLessThan(receiver.requests.indexOf(resolved));
  });
});

const probeRule = { name: 'ProbeSeen', metric: 'device_up', op: '>=' as const, threshold: 0 };
testPlugin('alerts', {
  plugin: () =>
    alerts({
      rules: [probeRule],
      receivers: [{ name: 'noc', webhook: [{ url: 'http://127.0.0.1:9/never-used', allowLoopback: true }] }],
      route: { receiver: 'noc', routes: [{ matchers: '{alertname="nothing"}', receiver: 'noc' }] },
    }),
  failures: [
    {
      // The receiver's port is closed: delivery fails, health reports it, polling goes on.
      name: 'webhook receiver down',
      plugin: () =>
        alerts({
          rules: [probeRule],
          receivers: [{ name: 'noc', webhook: [{ url: 'http://127.0.0.1:1/hook', allowLoopback: true }] }],
          route: { receiver: 'noc', group_wait: '0s' },
          evaluationInterval: '200ms',
        }),
    },
  ],
});
