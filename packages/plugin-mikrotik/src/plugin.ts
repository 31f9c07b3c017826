/**
 * The plugin: provides the MikroTik driver, and publishes PPPoE sessions appearing and
 * vanishing as `pppoe:session` events on the bus.
 */
import { definePlugin, tokens } from '@ispmonitor/core';
import { createMikrotikDriver } from './driver.js';
import { optionsSchema } from './settings.js';

/** `mikrotik(options)`: the MikroTik RouterOS API plugin. */
export const mikrotik = definePlugin({
  name: 'mikrotik',
  version: '0.1.0',
  optionsSchema,
  setup(ctx, options) {
    const driver = createMikrotikDriver({
      ...options,
      onSessionChange(change) {
        ctx.logger.info('pppoe sessions changed', {
          device: change.device,
          appeared: change.appeared.length,
          vanished: change.vanished.length,
        });
        const device = ctx.devices.get(change.device)?.device;
        if (device) {
          ctx.bus.emit('pppoe:session', {
            device,
            appeared: change.appeared,
            vanished: change.vanished,
            ts: change.ts,
          });
        }
      },
    });
    ctx.provide(tokens.Driver, driver);
    // What was learned about a router must not outlive or outdate its device.
    ctx.bus.on('device:removed', ({ device }) => driver.forget(device.id));
    ctx.bus.on('device:changed', ({ device }) => driver.forget(device.id));
    ctx.onStop(() => driver.close());
  },
});
