import { describe, expect, it } from 'vitest';
import { createMonitor, type Monitor } from '../monitor.js';
import { definePlugin } from '../plugin.js';
import { tokens } from '../tokens.js';
import type { Device, Plugin } from '../types.js';
import { createFakeLogger } from './fake-logger.js';

/** A value, or a promise of it. */
export type Maybe<T> = T | Promise<T>;

/** How to make a plugin's peer fail: a device it cannot poll, or a plugin whose peer is down. */
export interface PeerFailure {
  /** Names the case in test output. */
  name: string;
  /** A device of this plugin's driver that is unreachable, slow or hostile. */
  device?: () => Maybe<Device>;
  /** The plugin configured against a failing peer (e.g. a sink whose database is down). */
  plugin?: () => Maybe<Plugin>;
}

/** What the shared suite needs to know about a plugin. */
export interface PluginSuiteOptions {
  /** A fresh instance of the plugin under test. */
  plugin: () => Maybe<Plugin>;
  /** Plugins it requires. */
  with?: () => Maybe<Plugin[]>;
  /** For driver plugins: a device whose peer answers. */
  device?: () => Maybe<Device>;
  /** At least one way to make the peer fail; each must be reported and contained. */
  failures: PeerFailure[];
  /** How long a poll or a report may take. Default 5000 ms. */
  timeoutMs?: number;
}

const PROBE_DEVICE: Device = { id: 'suite-probe', host: '127.0.0.1', driver: 'suite-probe', interval: '1s' };

/** A plugin whose driver always answers, and which records the order of lifecycle steps. */
function probePlugin(steps: string[]) {
  return definePlugin({
    name: 'suite-probe',
    version: '0.0.0',
    setup(ctx) {
      ctx.provide(tokens.Driver, {
        kind: 'suite-probe',
        poll: async () => ({ samples: [{ name: 'suite_probe_up', labels: {}, value: 1, ts: Date.now() }] }),
      });
      ctx.onStart(() => void steps.push('start'));
      ctx.onStop(() => void steps.push('stop'));
    },
  })();
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Builds monitors for the checks and stops them all on `cleanup()`. */
function harness(options: PluginSuiteOptions) {
  const timeoutMs = options.timeoutMs ?? 5000;
  const monitors: Monitor[] = [];
  const build = async (plugin: Plugin, devices: Device[], steps: string[] = []) => {
    const monitor = await createMonitor({
      plugins: [...((await options.with?.()) ?? []), plugin, probePlugin(steps)],
      devices: devices.map((d) => ({ interval: '1s', ...d })),
      poller: { timeout: timeoutMs, recheckInterval: '1s' },
      logger: createFakeLogger(),
    });
    monitors.push(monitor);
    return monitor;
  };
  const cleanup = () => Promise.all(monitors.splice(0).map((m) => m.stop())).then(() => undefined);
  return { timeoutMs, build, cleanup };
}

/**
 * The checks of the shared suite, one function each, so that they can also be run on their own
 * (core's tests prove a plugin that does nothing fails them). Each throws when the plugin fails.
 */
export const pluginChecks = {
  /** The plugin provides at least one thing. */
  async providesSomething(options: PluginSuiteOptions): Promise<void> {
    const h = harness(options);
    try {
      const plugin = await options.plugin();
      const monitor = await h.build(plugin, []);
      const info = monitor.plugins.find((p) => p.name === plugin.name);
      expect(info?.provides.length ?? 0, 'setup provided no driver, sink, notifier or store').toBeGreaterThan(
        0,
      );
    } finally {
      await h.cleanup();
    }
  },

  /** Start, stop, stop again; no start after stop. */
  async lifecycle(options: PluginSuiteOptions): Promise<void> {
    const h = harness(options);
    try {
      const monitor = await h.build(await options.plugin(), []);
      await monitor.start();
      await expect(monitor.stop()).resolves.toBeUndefined();
      await expect(monitor.stop()).resolves.toBeUndefined();
      await expect(monitor.start()).rejects.toThrow(/cannot start/);
    } finally {
      await h.cleanup();
    }
  },

  /** Start hooks before polling; stop hooks after polls finished. */
  async hookOrder(options: PluginSuiteOptions): Promise<void> {
    const h = harness(options);
    try {
      const steps: string[] = [];
      const monitor = await h.build(await options.plugin(), [PROBE_DEVICE], steps);
      monitor.bus.on('poll:success', () => void steps.push('poll'));
      await monitor.start();
      await withTimeout(monitor.bus.next('poll:success'), h.timeoutMs + 2000, 'a poll');
      await monitor.stop();
      expect(steps[0]).toBe('start');
      expect(steps.at(-1)).toBe('stop');
      expect(steps.indexOf('poll')).toBeGreaterThan(0);
    } finally {
      await h.cleanup();
    }
  },

  /** The device is polled and every sample carries `device`. */
  async pollsDevice(options: PluginSuiteOptions): Promise<void> {
    if (!options.device) throw new Error('no device given');
    const h = harness(options);
    try {
      const device = await options.device();
      const monitor = await h.build(await options.plugin(), [device]);
      await monitor.start();
      const event = await withTimeout(
        monitor.bus.next(
          'samples',
          (e) => e.device.id === device.id && monitor.devices.get(device.id)?.status === 'online',
        ),
        h.timeoutMs + 2000,
        `samples of ${device.id}`,
      );
      expect(event.samples.length).toBeGreaterThan(1);
      for (const s of event.samples) {
        expect(s.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        expect(s.labels.device).toBe(device.id);
      }
    } finally {
      await h.cleanup();
    }
  },

  /** A failing peer is reported and contained. */
  async failureContained(options: PluginSuiteOptions, failure: PeerFailure): Promise<void> {
    const h = harness(options);
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => void crashes.push(err);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    try {
      const device = await failure.device?.();
      const plugin = (await failure.plugin?.()) ?? (await options.plugin());
      const monitor = await h.build(plugin, device ? [device, PROBE_DEVICE] : [PROBE_DEVICE]);
      const reported = Promise.race([
        monitor.bus.next('poll:failure', (e) => e.device.id === device?.id),
        monitor.bus.next('sink:error'),
        pollHealth(monitor, plugin.name),
      ]);
      await monitor.start();
      await withTimeout(reported, h.timeoutMs * 3 + 3000, `the failure "${failure.name}" to be reported`);
      if (device) expect(['unreachable', 'offline']).toContain(monitor.devices.get(device.id)?.status);
      await withTimeout(
        monitor.bus.next('poll:success', (e) => e.device.id === PROBE_DEVICE.id),
        5000,
        'another device to keep being polled',
      );
      await monitor.stop();
      expect(crashes).toEqual([]);
    } finally {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
      await h.cleanup();
    }
  },
};

/**
 * The suite every plugin runs: it provides something, follows the lifecycle (setup, start, stop;
 * stop twice never throws), polls its device when it has one, and — for each way its peer can
 * fail — reports the failure (a failed poll, a sink error or a failing health check) while the
 * process and the other devices carry on. A plugin that does nothing cannot pass it.
 */
export function testPlugin(name: string, options: PluginSuiteOptions): void {
  const slow = (options.timeoutMs ?? 5000) * 4 + 10_000;
  describe(`plugin suite: ${name}`, () => {
    it('provides something to the monitor', () => pluginChecks.providesSomething(options));
    it('starts, stops, and stops again without throwing; it cannot start again', () =>
      pluginChecks.lifecycle(options));
    it(
      'runs start hooks before polling and stop hooks after polls finished',
      () => pluginChecks.hookOrder(options),
      slow,
    );
    if (options.device) {
      it(
        'polls its device and labels every sample with the device',
        () => pluginChecks.pollsDevice(options),
        slow,
      );
    }
    it('has at least one way to make its peer fail', () => {
      expect(options.failures.length).toBeGreaterThan(0);
    });
    for (const failure of options.failures) {
      it(
        `reports and contains a failing peer: ${failure.name}`,
        () => pluginChecks.failureContained(options, failure),
        slow,
      );
    }
  });
}

/** Resolves when one of the plugin's health checks stops passing. */
async function pollHealth(monitor: Monitor, plugin: string): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    if (monitor.state === 'stopped') return new Promise(() => {});
    const report = await monitor.health();
    const own = Object.entries(report.checks).filter(([n]) => n.startsWith(`${plugin}:`));
    if (own.some(([, c]) => c.status !== 'pass')) return;
  }
}
