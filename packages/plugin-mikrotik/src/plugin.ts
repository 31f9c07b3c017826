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
      // Devices of the config file (and of the code that made the monitor) may name a CA file.
      isConfigDevice: (id) => ctx.devices.get(id)?.origin === 'config',
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
    // CA files of config devices are read at start, so a bad path is reported once, in the log,
    // before the first poll (which then fails with a short reason and no path).
    ctx.onStart(async () => {
      const config = ctx.devices
        .list()
        .filter((s) => s.origin === 'config' && s.device.driver === 'mikrotik');
      await Promise.all(
        config.map(({ device }) =>
          driver.preloadCa(device).catch((err: Error) => {
            const ca = (device.mikrotik as { ca?: string } | undefined)?.ca;
            ctx.logger.warn('mikrotik CA file unusable', { device: device.id, ca, error: err.message });
          }),
        ),
      );
    });
    // What was learned about a router must not outlive or outdate its device.
    ctx.bus.on('device:removed', ({ device }) => driver.forget(device.id));
    ctx.bus.on('device:changed', ({ device }) => driver.forget(device.id));
    ctx.onStop(() => driver.close());
  },
});
