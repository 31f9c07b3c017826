import { definePlugin } from '../plugin.js';
import { tokens } from '../tokens.js';
import type { Device, Driver, Plugin, Sink } from '../types.js';

/**
 * A plugin that provides one driver (and the given sinks, if any): the shortest way to put a
 * test driver into `createMonitor({ plugins: [driverPlugin(driver)] })`.
 */
export function driverPlugin(driver: Driver, sinks: Sink[] = []): Plugin {
  return definePlugin({
    name: `test-driver-${driver.kind}`,
    version: '0.0.0',
    setup(ctx) {
      ctx.provide(tokens.Driver, driver);
      for (const sink of sinks) ctx.provide(tokens.Sink, sink);
    },
  })() as Plugin;
}

/**
 * `n` devices of one driver kind, `dev-0` … `dev-<n-1>`, each on its own loopback address
 * (127.0.0.1 to 127.0.0.250, then round again), with `extra` fields (interval, labels) on each.
 */
export function testDevices(n: number, driver: string, extra: Partial<Device> = {}): Device[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `dev-${i}`,
    host: `127.0.0.${(i % 250) + 1}`,
    driver,
    ...extra,
  }));
}
