/**
 * What the demo's history is made of: plain data in the shape of plugin-postgres's
 * `HistoryImport` (the simulator does not depend on the storage; the server hands it over).
 * Times are milliseconds since the epoch.
 */

/** One PPPoE session. */
export interface HistorySession {
  router: string;
  user: string;
  service: string | null;
  /** The CPE's MAC, lower case `aa:bb:cc:dd:ee:ff`. */
  callerId: string | null;
  address: string | null;
  interface: string | null;
  /** RouterOS `.id` of the session while it was active. */
  routerSessionId: string | null;
  start: number;
  /** Null while the session is still active (it is in the emulator's `/ppp/active` now). */
  end: number | null;
  endReason: 'vanished' | 'router unreachable' | 'monitor restart' | null;
  /** The user's previous session ended at most 5 minutes before this one started. */
  reconnect: boolean;
  bytesIn: number | null;
  bytesOut: number | null;
  peakInBps: number | null;
  peakOutBps: number | null;
}

/** One DHCP lease (one client's stay on an address). */
export interface HistoryLease {
  router: string;
  mac: string;
  address: string;
  hostName?: string;
  server?: string;
  from: number;
  to: number | null;
  expiresAt?: number;
}

/** One wireless association (a client on one router's radio). */
export interface HistoryWireless {
  router: string;
  mac: string;
  interface: string;
  ssid?: string;
  signalDbm?: number;
  from: number;
  to: number | null;
}

/** A device's status change. */
export interface HistoryStatusChange {
  router: string;
  ts: number;
  previous: string;
  status: string;
  reason?: string;
}

/** A 5-minute aggregate of one series (`increase` for counters). */
export interface HistoryBucket {
  ts: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  increase?: number;
}

/** One series: catalogue name, the exact labels the live driver stamps, its buckets. */
export interface HistorySeries {
  name: string;
  labels: Record<string, string>;
  kind: 'counter' | 'gauge';
  buckets: HistoryBucket[];
}

/** The whole backfill (plugin-postgres `HistoryImport`). */
export interface DemoHistory {
  sessions: HistorySession[];
  leases: HistoryLease[];
  wireless: HistoryWireless[];
  statusChanges: HistoryStatusChange[];
  series: HistorySeries[];
}
