/**
 * What the plugin's wiring promises: a receiver naming a notifier nobody provides is an error
 * (refused at start, listed by the checks `config validate` reads); `ispmonitor_alerts_active`
 * is exposed at 0 from the first scrape; the runtime is chosen once every plugin is set up, so a
 * cluster plugin listed after this one still makes the alerts run across replicas.
 */
import { createMonitor, definePlugin, MonitorError, tokens } from '@ispmonitor/core';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { AlertsErrors, type AlertsOptionsInput, alerts, alertsChecks } from '../src/index.js';
import { stopAfterEach } from './support/cleanup.js';
import { baseOptions, firingDevices, harness, recorder } from './support/harness.js';

const keep = stopAfterEach();

/** The first MonitorError in an error's cause chain. */
function monitorErrorIn(err: unknown): MonitorError | undefined {
  for (let e = err; e; e = (e as { cause?: unknown }).cause) if (e instanceof MonitorError) return e;
  return undefined;
}

describe('a receiver naming an unknown notifier', () => {
  const options = {
    receivers: [
      { name: 'noc', use: ['rec', 'pager'] },
      { name: 'ops', use: ['sms'] },
    ],
    route: { receiver: 'noc' },
  };
  /** A monitor (not started) with the alerts plugin on `o` and a recorder providing `rec`. */
  const monitorWith = async (o: AlertsOptionsInput) =>
    keep(
      await createMonitor({
        plugins: [alerts(o), recorder().plugin],
        clock: new FakeClock(),
        logger: createFakeLogger(),
      }),
    );

  it("is listed by the plugin's checks once every plugin is set up, naming receiver and notifier", async () => {
    const monitor = await monitorWith(options);
    expect(monitor.resolve(alertsChecks).problems()).toEqual([
      'alerts: receiver "noc" uses notifier "pager", which no plugin provides (known: rec)',
      'alerts: receiver "ops" uses notifier "sms", which no plugin provides (known: rec)',
    ]);
  });

  it('makes start fail with ISPM_ALERTS_NOTIFIER_UNKNOWN', async () => {
    const monitor = await monitorWith(options);
    const err = await monitor.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    const found = monitorErrorIn(err);
    expect(found?.code).toBe(AlertsErrors.NOTIFIER_UNKNOWN.code);
    expect(found?.message).toMatch(/receiver "noc" uses notifier "pager"/);
  });

  it('is no problem once a plugin provides it', async () => {
    const monitor = await monitorWith({
      receivers: [{ name: 'noc', use: ['rec'] }],
      route: { receiver: 'noc' },
    });
    expect(monitor.resolve(alertsChecks).problems()).toEqual([]);
  });
});

describe('ispmonitor_alerts_active', () => {
  it('is there at 0 from the first scrape, for the base severities and those of the rules', async () => {
    const h = keep(
      await harness(
        baseOptions({ rules: [{ name: 'Hot', metric: 'cpu', threshold: 0.5, severity: 'page' }] }),
      ),
    );
    const text = await h.monitor.metrics.metrics();
    for (const severity of ['critical', 'warning', 'info', 'page'])
      expect(text).toContain(`ispmonitor_alerts_active{severity="${severity}"} 0`);
    h.samples('r1', [{ name: 'cpu', value: 0.9 }]);
    const after = await h.monitor.metrics.metrics();
    expect(after).toContain('ispmonitor_alerts_active{severity="page"} 1');
    expect(after).toContain('ispmonitor_alerts_active{severity="critical"} 0');
  });
});

describe('the runtime', () => {
  /** Provides Leadership and Ownership: this replica owns only `mine`. */
  const replica = definePlugin({
    name: 'test-replica',
    version: '0.0.0',
    setup(ctx) {
      ctx.provide(tokens.Leadership, { isLeader: () => true });
      ctx.provide(tokens.Ownership, { replica: 'a', owns: (id: string) => id === 'mine' });
    },
  });

  it('is the replicas one when a plugin listed after alerts provides Leadership: only owned devices are evaluated', async () => {
    const h = keep(
      await harness(baseOptions({ rules: [{ name: 'Hot', metric: 'cpu', threshold: 0.5 }] }), {
        plugins: [replica()],
      }),
    );
    h.samples('mine', [{ name: 'cpu', value: 0.9 }]);
    h.samples('theirs', [{ name: 'cpu', value: 0.9 }]);
    // Each device's stored alerts are adopted before its first evaluation.
    await h.advance(10);
    expect(firingDevices(h.api)).toEqual(['mine']);
  });

  it('is this process alone without Leadership: every device is evaluated at once', async () => {
    const h = keep(await harness(baseOptions({ rules: [{ name: 'Hot', metric: 'cpu', threshold: 0.5 }] })));
    h.samples('mine', [{ name: 'cpu', value: 0.9 }]);
    h.samples('theirs', [{ name: 'cpu', value: 0.9 }]);
    expect(firingDevices(h.api)).toEqual(['mine', 'theirs']);
  });
});
