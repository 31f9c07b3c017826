/**
 * The plugin: provides the SNMP driver and, when `traps` is given, runs a trap receiver that
 * publishes `trap` events on the bus.
 */

import { definePlugin, tokens } from '@ispmonitor/core';
import { createSnmpDriver } from './driver.js';
import { optionsSchema } from './settings.js';
import { createTrapIntake } from './trap-intake.js';
import { startTrapReceiver, type TrapReceiver } from './traps.js';
import { VERSION } from './version.js';

/** `snmp(options)`: the SNMP plugin. */
export const snmp = definePlugin({
  name: 'snmp',
  version: VERSION,
  optionsSchema,
  setup(ctx, options) {
    const driver = createSnmpDriver({ clock: ctx.clock });
    // Runs in poller worker threads too (poller.workers > 1): a worker makes its own with the
    // system clock; per-device memory (bulk sizes, caches, SNMPv3 engine state) lives there.
    driver.worker = { module: new URL('./driver.js', import.meta.url).href, export: 'createSnmpDriver' };
    ctx.provide(tokens.Driver, driver);
    // What was learned about a device (bulk size, caches) must not outlive or outdate it.
    ctx.bus.on('device:removed', ({ device }) => driver.forget(device.id));
    ctx.bus.on('device:changed', ({ device }) => driver.forget(device.id));
    const traps = options.traps;
    let receiver: TrapReceiver | undefined;
    if (traps) {
      // Device by address, rebuilt after the inventory changed rather than scanned per trap.
      let byHost: Map<string, string> | undefined;
      const invalidate = () => {
        byHost = undefined;
      };
      for (const e of ['device:added', 'device:changed', 'device:removed'] as const)
        ctx.bus.on(e, invalidate);
      const deviceAt = (address: string) => {
        byHost ??= new Map(ctx.devices.list().map((s) => [s.device.host, s.device.id]));
        return byHost.get(address);
      };
      const intake = createTrapIntake({
        acceptUnknownSources: traps.acceptUnknownSources,
        pollDebounceMs: traps.pollDebounceMs,
        deviceAt,
        publish: (event) => ctx.bus.emit('trap', event),
        pollNow: (id) => ctx.devices.pollNow(id),
        clock: ctx.clock,
        metrics: ctx.metrics,
      });
      ctx.onStart(async () => {
        receiver = await startTrapReceiver({
          port: traps.port,
          address: traps.address,
          community: traps.community,
          users: traps.users,
          clock: ctx.clock,
          onTrap: (event) => intake.accept(event),
          onDropped: (reason, detail, source) => {
            intake.dropped(reason);
            ctx.logger.debug('snmp trap dropped', { reason, detail, source });
          },
        });
        ctx.logger.info('snmp trap receiver listening', { address: traps.address, port: receiver.port });
      });
    }
    ctx.onStop(async () => {
      await receiver?.close();
      receiver = undefined;
      await driver.close?.();
    });
  },
});
