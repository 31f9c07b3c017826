/**
 * The plugin: provides the MikroTik driver and a `sessionEvents` emitter of PPPoE session
 * appear/vanish changes (the core bus has no event for them yet; see README).
 */
import { createToken, definePlugin, type Token, tokens } from '@ispmonitor/core';
import { createMikrotikDriver } from './driver.js';
import type { SessionChange } from './sessions.js';
import { optionsSchema } from './settings.js';

/** Listeners of PPPoE session changes, per monitor. */
export interface SessionEvents {
  /** Adds a listener; returns a function that removes it. */
  on(listener: (change: SessionChange) => void): () => void;
}

/** Token under which the plugin provides its `SessionEvents`. */
export const sessionEventsToken: Token<SessionEvents> = createToken<SessionEvents>('mikrotik.SessionEvents');

/** `mikrotik(options)`: the MikroTik RouterOS API plugin. */
export const mikrotik = definePlugin({
  name: 'mikrotik',
  version: '0.1.0',
  optionsSchema,
  setup(ctx, options) {
    const listeners = new Set<(change: SessionChange) => void>();
    const driver = createMikrotikDriver({
      ...options,
      onSessionChange(change) {
        ctx.logger.info('pppoe sessions changed', {
          device: change.device,
          appeared: change.appeared.length,
          vanished: change.vanished.length,
        });
        for (const fn of listeners) {
          try {
            fn(change);
          } catch (err) {
            ctx.logger.warn('a session listener threw', { error: (err as Error)?.message });
          }
        }
      },
    });
    ctx.provide(tokens.Driver, driver);
    ctx.provide(sessionEventsToken, {
      on(listener) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    });
    // What was learned about a router must not outlive or outdate its device.
    ctx.bus.on('device:removed', ({ device }) => driver.forget(device.id));
    ctx.bus.on('device:changed', ({ device }) => driver.forget(device.id));
    ctx.onStop(() => driver.close());
  },
});
