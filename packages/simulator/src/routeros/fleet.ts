/**
 * `startRouterOsFleet`: many emulated routers in one process, one loopback port each, for the
 * benchmark and multi-router tests.
 */
import { type RouterOsEmulator, type RouterOsEmulatorOptions, startRouterOsEmulator } from './server.js';

/** Options of a fleet: the options of every router, plus how many and where. */
export interface RouterOsFleetOptions extends Omit<RouterOsEmulatorOptions, 'port' | 'seed' | 'identity'> {
  count: number;
  /** First port (router i listens on basePort + i); default 0 = a free port each. */
  basePort?: number;
  /** Per-router overrides, e.g. a fault on router 3. */
  override?: (index: number) => Partial<RouterOsEmulatorOptions>;
}

/** A running fleet. */
export interface RouterOsFleet {
  readonly routers: readonly RouterOsEmulator[];
  /** Ports, in router order. */
  readonly ports: readonly number[];
  close(): Promise<void>;
}

/** Starts `count` emulated routers (in batches, so start-up does not exhaust the backlog). */
export async function startRouterOsFleet(options: RouterOsFleetOptions): Promise<RouterOsFleet> {
  const { count, basePort, override, ...shared } = options;
  const routers: RouterOsEmulator[] = [];
  try {
    for (let i = 0; i < count; i += 100) {
      const batch = [];
      for (let j = i; j < Math.min(count, i + 100); j++) {
        batch.push(
          startRouterOsEmulator({
            ...shared,
            seed: j + 1,
            identity: `router-${j + 1}`,
            port: basePort ? basePort + j : 0,
            // One subscriber population across the fleet: unique users, roaming clients.
            fleet: { index: j, size: count },
            ...override?.(j),
          }),
        );
      }
      routers.push(...(await Promise.all(batch)));
    }
  } catch (err) {
    await Promise.all(routers.map((r) => r.close()));
    throw err;
  }
  return {
    routers,
    ports: routers.map((r) => r.port),
    close: () => Promise.all(routers.map((r) => r.close())).then(() => undefined),
  };
}
