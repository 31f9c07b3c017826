/**
 * What the subscriber reads return (the shapes the HTTP API passes on). Times are ms since the
 * epoch; a field the router did not report is null, never a guess.
 */

/** How a hit matched the search text; hits are ordered exact, prefix, substring. */
export type Match = 'exact' | 'prefix' | 'substring';

/** Why a session ended. */
export type EndReason = 'vanished' | 'router unreachable' | 'monitor restart';

/** A router hit (made by the server from its registry; storage never returns one). */
export interface RouterHit {
  kind: 'router';
  id: string;
  name: string;
  host: string;
  labels: Record<string, string>;
  status: string;
  match: Match;
}

/** A current interface whose name, alias or description matches. */
export interface InterfaceHit {
  kind: 'interface';
  router: string;
  index: string;
  name: string;
  alias: string | null;
  description: string | null;
  mac: string | null;
  operUp: boolean | null;
  match: Match;
}

/** A PPPoE user: where they are now (active) or were last. */
export interface SubscriberHit {
  kind: 'subscriber';
  user: string;
  active: boolean;
  router: string;
  interface: string | null;
  address: string | null;
  mac: string | null;
  since: number;
  lastSeen: number;
  match: Match;
}

/** An IP address and who holds (or last held) it. */
export interface IpHit {
  kind: 'ip';
  ip: string;
  source: 'pppoe' | 'dhcp' | 'arp' | 'interface';
  router: string;
  user: string | null;
  mac: string | null;
  hostName: string | null;
  /** The interface it is on (a router's own for `interface`, the session's or the binding's otherwise). */
  interface: string | null;
  active: boolean;
  since: number;
  lastSeen: number;
  match: Match;
}

/** A MAC address and where it is (or was last) seen. */
export interface MacHit {
  kind: 'mac';
  mac: string;
  source: 'pppoe' | 'dhcp' | 'wireless' | 'arp' | 'interface';
  router: string;
  user: string | null;
  address: string | null;
  interface: string | null;
  active: boolean;
  since: number;
  lastSeen: number;
  match: Match;
}

/** How a search is run: how many hits at most, and whether substrings may be looked for. */
export interface SearchOptions {
  limit?: number;
  /**
   * False when the caller already has exact or prefix matches of its own (the server's routers):
   * the substring scan, the costly part, is then skipped as it is when this search finds such
   * matches itself. Default true.
   */
  substring?: boolean;
}

/** One search result. */
export type SearchHit = RouterHit | InterfaceHit | SubscriberHit | IpHit | MacHit;

/** One PPPoE session. */
export interface SessionRecord {
  id: string;
  router: string;
  user: string;
  service: string | null;
  callerId: string | null;
  address: string | null;
  interface: string | null;
  routerSessionId: string | null;
  start: number;
  /** Null while the session is active. */
  end: number | null;
  endReason: EndReason | null;
  lastSeen: number;
  reconnect: boolean;
  bytesIn: number | null;
  bytesOut: number | null;
  peakInBps: number | null;
  peakOutBps: number | null;
}

/** A subscriber at a glance. */
export interface SubscriberSummary {
  user: string;
  active: SessionRecord[];
  lastSeen: number;
  routers: Array<{ router: string; lastSeen: number; sessions: number }>;
  reconnects: { last24h: number; last7d: number };
  sessions: { last24h: number; last7d: number };
}

/** Who held an IP or a MAC, when and where. */
export interface BindingRecord {
  source: 'pppoe' | 'dhcp' | 'wireless' | 'arp' | 'interface';
  router: string;
  ip: string | null;
  mac: string | null;
  user: string | null;
  hostName: string | null;
  interface: string | null;
  from: number;
  /** Null while current. */
  to: number | null;
}

/** The time window and page size of a history read: ms since the epoch, both ends included. */
export interface HistoryWindow {
  from?: number;
  to?: number;
  limit?: number;
}

/** A page of sessions, newest first; `next` is the cursor of the following page, null at the end. */
export interface SessionPage {
  items: SessionRecord[];
  next: string | null;
}

/** History for the demo backfill: plain data, written as if it had been recorded. */
export interface HistoryImport {
  sessions?: Array<Omit<SessionRecord, 'id' | 'lastSeen'>>;
  leases?: Array<{
    router: string;
    mac: string;
    address: string;
    hostName?: string;
    server?: string;
    from: number;
    to: number | null;
    expiresAt?: number;
  }>;
  wireless?: Array<{
    router: string;
    mac: string;
    interface: string;
    ssid?: string;
    signalDbm?: number;
    from: number;
    to: number | null;
  }>;
  statusChanges?: Array<{ router: string; ts: number; previous: string; status: string; reason?: string }>;
  /** Time series as 5-minute aggregates: storage writes the 5-minute and hourly rollups from them. */
  series?: HistorySeries[];
}

/** One series of the backfill: 5-minute buckets (`ts` is the bucket's start, rounded down to 5 minutes). */
export interface HistorySeries {
  name: string;
  labels: Record<string, string>;
  kind: 'counter' | 'gauge';
  buckets: Array<{
    ts: number;
    count: number;
    min: number;
    max: number;
    sum: number;
    last: number;
    /** Counter increase in the bucket; when absent, the step from the previous bucket's `last`. */
    increase?: number;
  }>;
}
