/**
 * The bus events this plugin emits, declared on core's `BusEvents` by declaration merging: core
 * knows nothing of PPPoE, yet `bus.on('pppoe:session', …)` is typed in every program that
 * imports this package.
 */
import type { Device, PppoeSessionFact } from '@ispmonitor/core';

/** PPPoE sessions appeared on or vanished from a router since its previous poll. */
export interface PppoeSessionEvent {
  /** The router (a device of driver `mikrotik`). */
  device: Device;
  /** Sessions up now that were not at the previous poll. */
  appeared: PppoeSessionFact[];
  /** Sessions up at the previous poll that are gone now. */
  vanished: PppoeSessionFact[];
  /** When the poll that saw the change ran, ms since the epoch. */
  ts: number;
}

declare module '@ispmonitor/core' {
  interface BusEvents {
    /** PPPoE sessions appeared on or vanished from a router since its previous poll. */
    'pppoe:session': PppoeSessionEvent;
  }
}
