/**
 * The driver contract of #22: settings typed from the driver's schema, parsed once by core when
 * a device is added or changed and handed to every poll; an invalid device refused at add with
 * the device and the field named; the plugin that provides a driver closes it, core never; and a
 * plugin's own bus events declared by declaration merging.
 */
import {
  createMonitor,
  type Device,
  type DeviceFor,
  defineDriver,
  definePlugin,
  type Monitor,
  tokens,
} from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

declare module '@ispmonitor/core' {
  interface BusEvents {
    /** A test plugin's own event. */
    'probe:seen': { device: string; port: number };
  }
}

/** A probe driver whose schema counts how often it runs and fills a default. */
function probe() {
  const seen = { parses: 0, polls: [] as Array<{ ports: number[]; parsed: boolean }>, closes: 0 };
  const driver = defineDriver({
    kind: 'probe',
    settings: z
      .object({ ports: z.array(z.number().int().min(1).max(65535)).default([22]) })
      .strict()
      .transform((s) => {
        seen.parses++;
        return { ...s, parsed: true };
      }),
    async poll(device, settings) {
      // `settings` is the schema's output: typed, defaults filled, no parsing here.
      seen.polls.push({ ports: settings.ports, parsed: settings.parsed });
      return {
        samples: [
          { name: 'probe_port', labels: { device: device.id }, value: settings.ports[0] ?? 0, ts: 0 },
        ],
      };
    },
    async close() {
      seen.closes++;
    },
  });
  return { driver, seen };
}

const probeDevice = (id: string, probe?: unknown): Device => ({
  id,
  host: '127.0.0.1',
  driver: 'probe',
  probe,
});

describe('defineDriver', () => {
  let monitor: Monitor | undefined;
  afterEach(async () => {
    await monitor?.stop();
    monitor = undefined;
  });

  async function start(closeInStop: boolean) {
    const { driver, seen } = probe();
    const plugin = definePlugin({
      name: 'probe',
      version: '1.0.0',
      setup(ctx) {
        ctx.provide(tokens.Driver, driver);
        if (closeInStop) ctx.onStop(() => driver.close?.());
      },
    });
    monitor = await createMonitor({
      plugins: [plugin()],
      logger: createFakeLogger(),
      poller: { interval: '1h' },
    });
    await monitor.start();
    return { monitor, seen };
  }

  /** Polls a device now and waits for the result (after the previous poll's bookkeeping ended). */
  async function pollOnceScheduled(m: Monitor, id: string): Promise<void> {
    await new Promise((r) => setImmediate(r));
    const done = m.bus.next('poll:success', (e) => e.device.id === id);
    expect(m.devices.pollNow(id)).toBe(true);
    await done;
  }

  it('parses a device’s settings once, when it is added or changed, and hands the output to every poll', async () => {
    const { monitor: m, seen } = await start(true);
    await m.devices.add(probeDevice('r1'));
    expect(seen.parses).toBe(1);
    for (let i = 0; i < 3; i++) await pollOnceScheduled(m, 'r1');
    expect(seen.parses).toBe(1);
    expect(seen.polls.at(-1)).toEqual({ ports: [22], parsed: true });

    await m.devices.update('r1', { probe: { ports: [8728] } });
    expect(seen.parses).toBe(2);
    await pollOnceScheduled(m, 'r1');
    expect(seen.parses).toBe(2);
    expect(seen.polls.at(-1)).toEqual({ ports: [8728], parsed: true });
  });

  it('refuses invalid settings at add, naming the device and the field, and never polls them', async () => {
    const { monitor: m, seen } = await start(true);
    await expect(m.devices.add(probeDevice('bad', { ports: ['x'] }))).rejects.toMatchObject({
      code: 'ISPM_DEVICE_INVALID',
      message: expect.stringMatching(/^device "bad": probe\.ports\.0: /),
    });
    await expect(m.devices.add(probeDevice('odd', { port: 1 }))).rejects.toThrow(
      /device "odd": probe: .*port/,
    );
    expect(m.devices.get('bad')).toBeUndefined();
    expect(seen.polls).toEqual([]);
  });

  it('refuses a kind that is one of the device’s own fields, or not a name', async () => {
    const poll = async () => ({ samples: [] });
    expect(() => defineDriver({ kind: 'labels', poll })).toThrow(/"labels" is core's own field/);
    expect(() => defineDriver({ kind: 'two words', poll })).toThrow(/kind must be letters/);
    // A hand-written driver is checked the same way when the monitor is created.
    const raw = definePlugin({
      name: 'raw',
      version: '1.0.0',
      setup: (ctx) => ctx.provide(tokens.Driver, { kind: 'host', poll }),
    });
    await expect(createMonitor({ plugins: [raw()], logger: createFakeLogger() })).rejects.toMatchObject({
      code: 'ISPM_PLUGIN_INVALID',
    });
  });

  it('is closed by the plugin that provides it, once; core does not close drivers', async () => {
    const owned = await start(true);
    await owned.monitor.stop();
    expect(owned.seen.closes).toBe(1);
    const unowned = await start(false);
    await unowned.monitor.stop();
    expect(unowned.seen.closes).toBe(0);
  });

  it('types a device for a driver from the same schema (DeviceFor)', async () => {
    const { driver } = probe();
    const typed: DeviceFor<typeof driver> = {
      id: 't1',
      host: '127.0.0.1',
      driver: 'probe',
      probe: { ports: [161] },
    };
    const wrong: DeviceFor<typeof driver> = {
      id: 't2',
      host: '127.0.0.1',
      driver: 'probe',
      // @ts-expect-error: a port is a number — the schema's input type, checked at compile time
      probe: { ports: ['x'] },
    };
    const { monitor: m, seen } = await start(true);
    await m.devices.add(typed);
    await expect(m.devices.add(wrong)).rejects.toMatchObject({ code: 'ISPM_DEVICE_INVALID' });
    await pollOnceScheduled(m, 't1');
    expect(seen.polls.at(-1)).toEqual({ ports: [161], parsed: true });
  });

  it('lets a plugin declare its own bus events (declaration merging on BusEvents)', async () => {
    const { monitor: m } = await start(true);
    const next = m.bus.next('probe:seen');
    m.bus.emit('probe:seen', { device: 'r1', port: 22 });
    expect((await next).port).toBe(22);
  });
});
