import type { Registry } from 'prom-client';
import type {
  Clock,
  DeviceOwnership,
  DeviceRegistry,
  Driver,
  EventBus,
  InventoryStore,
  Leadership,
  Logger,
  SampleQuery,
  Sink,
  StateStore,
  Token,
} from './types.js';

/** Makes a token. Third-party plugins make their own tokens the same way. */
export function createToken<T>(name: string): Token<T> {
  return Symbol(name) as Token<T>;
}

/** The tokens core and the bundled plugins agree on. */
export const tokens = {
  /** The monitor's logger. */
  Logger: createToken<Logger>('ispmonitor.Logger'),
  /** The event bus. */
  Bus: createToken<EventBus>('ispmonitor.Bus'),
  /** The time source. */
  Clock: createToken<Clock>('ispmonitor.Clock'),
  /** The monitor's prom-client registry. */
  Metrics: createToken<Registry>('ispmonitor.Metrics'),
  /** The device registry (core). */
  Devices: createToken<DeviceRegistry>('ispmonitor.Devices'),
  /** Where devices are persisted; the last provider wins, the default is in memory. */
  Inventory: createToken<InventoryStore>('ispmonitor.Inventory'),
  /** Drivers: one per kind; read with `resolveAll`. */
  Driver: createToken<Driver>('ispmonitor.Driver'),
  /** Sinks: read with `resolveAll`. */
  Sink: createToken<Sink>('ispmonitor.Sink'),
  /** Durable key/value state, provided by a storage plugin. */
  StateStore: createToken<StateStore>('ispmonitor.StateStore'),
  /** Read access to stored samples, provided by a storage plugin. */
  SampleQuery: createToken<SampleQuery>('ispmonitor.SampleQuery'),
  /** Which devices this replica polls (scale-out); absent: all of them. */
  Ownership: createToken<DeviceOwnership>('ispmonitor.Ownership'),
  /** Whether this replica runs once-per-cluster work; absent: it does. */
  Leadership: createToken<Leadership>('ispmonitor.Leadership'),
} as const;
