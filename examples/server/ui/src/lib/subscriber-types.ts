// Shapes of the search and subscriber API (`/api/v1/search`, `/subscribers`, `/ips`, `/macs`),
// as the UI reads them. Times are epoch milliseconds, as the server's history routes give them.

/** How a hit matched the query: exact hits are listed before prefix hits, then substring hits. */
export type Match = 'exact' | 'prefix' | 'substring';

/** One search hit; `kind` says which page it opens. */
export type SearchHit =
  | {
      kind: 'router';
      id: string;
      name: string;
      host: string;
      labels: Record<string, string>;
      status: string;
      match: Match;
    }
  | {
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
  | {
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
  | {
      kind: 'ip';
      ip: string;
      source: 'pppoe' | 'dhcp' | 'arp' | 'interface';
      router: string;
      user: string | null;
      mac: string | null;
      hostName: string | null;
      /** The interface it is on (the router's own for `interface`); absent from older servers. */
      interface?: string | null;
      active: boolean;
      since: number;
      lastSeen: number;
      match: Match;
    }
  | {
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
    };

/** Kinds of hits, in the order the search lists their groups. */
export type HitKind = SearchHit['kind'];

/** `GET /api/v1/search` answer. `note` says what could not be searched (no subscriber storage). */
export interface SearchResult {
  query: string;
  hits: SearchHit[];
  note?: string;
}

/** Why a session ended (null while it runs). */
export type EndReason = 'vanished' | 'router unreachable' | 'monitor restart';

/** One PPPoE session, current or past. */
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
  end: number | null;
  endReason: EndReason | null;
  lastSeen: number;
  reconnect: boolean;
  bytesIn: number | null;
  bytesOut: number | null;
  peakInBps: number | null;
  peakOutBps: number | null;
}

/** `GET /api/v1/subscribers/:user` answer. */
export interface SubscriberSummary {
  user: string;
  active: SessionRecord[];
  lastSeen: number;
  routers: Array<{ router: string; lastSeen: number; sessions: number }>;
  reconnects: { last24h: number; last7d: number };
  sessions: { last24h: number; last7d: number };
}

/** `GET /api/v1/subscribers/:user/sessions` answer: newest first; `next` is the `before` cursor. */
export interface SessionPage {
  items: SessionRecord[];
  next: string | null;
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
  to: number | null;
}
