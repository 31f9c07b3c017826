/**
 * A dispatcher (grouping, the notification log) and the delivery it hands notifications to,
 * built together: one pair for a single process, one per term as leader across replicas.
 */
import type { Bus, Clock, Logger } from '@ispmonitor/core';
import type { AlertRecord } from './alert.js';
import type { AlertsConfig } from './config.js';
import { Delivery } from './delivery.js';
import { Dispatcher } from './dispatcher.js';
import type { Notifier } from './events.js';
import type { AlertMetrics } from './metrics.js';
import type { StateWriter } from './persist.js';
import type { Suppressor } from './suppress.js';

/** What every dispatch is built from. */
export interface DispatchDeps {
  clock: Clock;
  bus: Bus;
  logger: Logger;
  metrics: AlertMetrics;
  config: AlertsConfig;
  suppressor: Suppressor;
  /** The StateWriter in use (chosen at start). */
  writer(): StateWriter;
  /** Every notifier of the monitor, by name (resolved at start). */
  notifiers(): Map<string, Notifier>;
}

/** Where a dispatch reads the firing alerts (for inhibition) from. */
export interface DispatchSource {
  firing(): Iterable<AlertRecord>;
  /** Changes whenever the set of firing alerts does. */
  version(): number;
  /**
   * Across replicas: whether this process is still the leader. Then each notification is written
   * before it is sent, and sent only while this answers true.
   */
  leader?: () => boolean;
}

/** A dispatcher with its delivery. */
export interface Dispatch {
  dispatcher: Dispatcher;
  delivery: Delivery;
}

/** Builds a dispatcher and its delivery; neither has loaded anything from the store yet. */
export function createDispatch(d: DispatchDeps, source: DispatchSource): Dispatch {
  const { delivery: timing, route, integrations } = d.config;
  const delivery = new Delivery({
    clock: d.clock,
    bus: d.bus,
    logger: d.logger,
    get writer() {
      return d.writer();
    },
    metrics: d.metrics,
    notifiers: d.notifiers,
    ...timing,
    persistFirst: source.leader !== undefined,
    ...(source.leader ? { gate: source.leader } : {}),
  });
  const dispatcher = new Dispatcher({
    clock: d.clock,
    route,
    integrations: (r) => [...(integrations.get(r) ?? [])],
    suppressor: d.suppressor,
    delivery,
    get writer() {
      return d.writer();
    },
    firing: source.firing,
    version: source.version,
  });
  return { dispatcher, delivery };
}
