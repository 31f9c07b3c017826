/**
 * The plugin: provides the MikroTik driver, and publishes PPPoE sessions appearing and
 * vanishing as `pppoe:session` events on the bus.
 */

import { definePlugin, tokens } from '@ispmonitor/core';
import { createMikrotikDriver } from './driver.js';
import { type MikrotikSettings, optionsSchema } from './settings.js';
import { VERSION } from './version.js';

// Re-exported so that the `pppoe:session` event declared there reaches every program importing
// the plugin (declaration merging applies only where the file is part of the program).
export type { PppoeSessionEvent } from './events.js';

/** `mikrotik(options)`: the MikroTik RouterOS API plugin. */
export const mikrotik = definePlugin({
  name: 'mikrotik',
  version: VERSION,
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
        config.map(({ device }) => {
          // Parsed by core when the device was added: what every poll of it receives.
          const settings = device.mikrotik as MikrotikSettings;
          return driver.preloadCa(device, settings).catch((err: Error) => {
            ctx.logger.warn('mikrotik CA file unusable', {
              device: device.id,
              ca: settings.ca,
              error: err.message,
            });
          });
        }),
      );
    });
    // What was learned about a router must not outlive or outdate its device.
    ctx.bus.on('device:removed', ({ device }) => driver.forget(device.id));
    ctx.bus.on('device:changed', ({ device }) => driver.forget(device.id));
    ctx.onStop(() => driver.close());
  },
});
