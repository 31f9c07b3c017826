/**
 * The plugin: provides the SNMP driver and, when `traps` is given, runs a trap receiver that
 * publishes `trap` events on the bus.
 */
import { definePlugin, tokens } from '@ispmonitor/core';
import { createSnmpDriver } from './driver.js';
import { optionsSchema } from './settings.js';
import { startTrapReceiver, type TrapReceiver } from './traps.js';

/** Traps after which a device's status and interfaces are re-read at once. */
const STATE_TRAPS = new Set(['linkDown', 'linkUp', 'coldStart', 'warmStart']);

/** `snmp(options)`: the SNMP plugin. */
export const snmp = definePlugin({
  name: 'snmp',
  version: '0.1.0',
  optionsSchema,
  setup(ctx, options) {
    const driver = createSnmpDriver({ clock: ctx.clock });
    ctx.provide(tokens.Driver, driver);
    // What was learned about a device (bulk size, caches) must not outlive or outdate it.
    ctx.bus.on('device:removed', ({ device }) => driver.forget(device.id));
    ctx.bus.on('device:changed', ({ device }) => driver.forget(device.id));
    const traps = options.traps;
    let receiver: TrapReceiver | undefined;
    if (traps) {
      ctx.onStart(async () => {
        receiver = await startTrapReceiver({
          port: traps.port,
          address: traps.address,
          community: traps.community,
          users: traps.users,
          clock: ctx.clock,
          onTrap: (event) => {
            ctx.bus.emit('trap', event);
            // A link or the device changed state: poll it now rather than at its next slot.
            if (event.device && event.kind && STATE_TRAPS.has(event.kind)) ctx.devices.pollNow(event.device);
          },
          resolveDevice: (address) => ctx.devices.list().find((s) => s.device.host === address)?.device.id,
          onDropped: (reason, source) => ctx.logger.debug('snmp trap dropped', { reason, source }),
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
