/**
 * Builds a monitor with the alerts plugin on a FakeClock, plus a recording notifier plugin (which
 * also proves the plugin uses notifiers other plugins provide) and an optional shared StateStore.
 */
import {
  createMonitor,
  type Device,
  definePlugin,
  type Labels,
  type Monitor,
  type Plugin,
  type Sample,
  type StateStore,
  tokens,
} from '@ispmonitor/core';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import {
  type AlertsApi,
  type AlertsOptionsInput,
  alerts,
  alertsApi,
  type Notification,
  NotifierToken,
  type SendResult,
} from '../../src/index.js';

/** A notifier that records what it is sent and answers what `result` says. */
export function recorder(name = 'rec') {
  const sent: Notification[] = [];
  const state = { result: (): SendResult => ({ ok: true }) };
  const plugin = definePlugin({
    name: `recorder-${name}`,
    version: '0.0.0',
    setup(ctx) {
      // A driver for devices in tests that drive status and samples themselves.
      ctx.provide(tokens.Driver, { kind: 'test', poll: async () => ({ samples: [] }) });
      ctx.provide(NotifierToken, {
        name,
        async send(n) {
          const r = state.result();
          if (r.ok) sent.push(structuredClone(n));
          return r;
        },
      });
    },
  })();
  return { plugin, sent, state };
}

/** Provides a StateStore (e.g. one shared by two monitors to simulate a restart). */
export function storePlugin(store: StateStore) {
  return definePlugin({
    name: 'test-store',
    version: '0.0.0',
    setup(ctx) {
      ctx.provide(tokens.StateStore, store);
    },
  })();
}

export interface Harness {
  monitor: Monitor;
  clock: FakeClock;
  api: AlertsApi;
  sent: Notification[];
  rec: ReturnType<typeof recorder>;
  /** Emits samples for a device at the clock's time. */
  samples(device: string, list: Array<{ name: string; value: number | bigint; labels?: Labels }>): void;
  status(device: string, status: 'online' | 'unreachable' | 'offline'): void;
  advance(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Default route for tests: one receiver using the recorder, short timings. */
export function baseOptions(extra: Partial<AlertsOptionsInput> = {}): AlertsOptionsInput {
  return {
    receivers: [{ name: 'noc', use: ['rec'] }],
    route: {
      receiver: 'noc',
      group_by: ['alertname', 'device'],
      group_wait: '10s',
      group_interval: '1m',
      repeat_interval: '4h',
    },
    evaluationInterval: '5s',
    ...extra,
  };
}

/** Starts a monitor on a fake clock. Devices are disabled: tests drive samples and status themselves. */
export async function harness(
  options: AlertsOptionsInput,
  o: {
    clock?: FakeClock;
    store?: StateStore;
    devices?: Device[];
    rec?: ReturnType<typeof recorder>;
    /** More plugins (e.g. one providing Leadership and Ownership). */
    plugins?: Plugin[];
  } = {},
): Promise<Harness> {
  const clock = o.clock ?? new FakeClock();
  const rec = o.rec ?? recorder();
  const plugins: Plugin[] = [rec.plugin, alerts(options) as Plugin];
  if (o.store) plugins.push(storePlugin(o.store));
  plugins.push(...(o.plugins ?? []));
  const monitor = await createMonitor({
    plugins,
    devices: (o.devices ?? []).map((d) => ({ enabled: false, ...d })),
    clock,
    logger: createFakeLogger(),
  });
  await monitor.start();
  const deviceOf = (id: string): Device =>
    monitor.devices.get(id)?.device ?? { id, host: '127.0.0.1', driver: 'none' };
  return {
    monitor,
    clock,
    api: monitor.resolve(alertsApi),
    sent: rec.sent,
    rec,
    samples(device, list) {
      const ts = clock.now();
      const samples: Sample[] = list.map((s) => ({
        name: s.name,
        value: s.value,
        ts,
        labels: { device, ...(s.labels ?? {}) },
      }));
      monitor.bus.emit('samples', { device: deviceOf(device), samples });
    },
    status(device, status) {
      monitor.bus.emit('device:status', {
        device: deviceOf(device),
        previous: 'online',
        status,
        ts: clock.now(),
      });
    },
    advance: (ms) => clock.advance(ms),
    stop: () => monitor.stop(),
  };
}

/** The devices with a firing alert, sorted (a device with two firing alerts is listed twice). */
export function firingDevices(api: AlertsApi): string[] {
  return api
    .list({ state: 'firing' })
    .map((a) => a.labels.device ?? '')
    .sort();
}
