/**
 * The four kinds of subscriber history and how one fact row of each becomes a stored row: its
 * identity (key columns), the attributes written when they change, the volatile values written
 * at checkpoints and at the end, and its start. Everything a router sends is checked here: a row
 * that is not what it claims to be is refused with a reason, never passed to SQL.
 */
import { isIP } from 'node:net';
import type { InventoryFacts } from '@ispmonitor/core';
import type { SubscriberTable } from './schema.js';

export type Kind = 'pppoe' | 'dhcp' | 'wireless' | 'arp';
/** Why a fact row was not stored. */
export type SkipReason = 'invalid' | 'incomplete' | 'duplicate' | 'too many';

/** A column of ours: its name and how the text value is cast. */
export interface Col {
  name: string;
  inet?: boolean;
  /** Key columns that may be NULL are compared as coalesce(…, ''), as the unique index does. */
  nullable?: boolean;
}

/** A volatile column: written at checkpoints and at the end (values travel as float8 ms / numbers). */
export interface VolCol {
  name: string;
  type: 'bigint' | 'float8' | 'timestamptz';
}

/** One fact row, checked and normalised. */
export interface Parsed {
  /** The key columns joined: identity within the router. */
  key: string;
  keys: Array<string | null>;
  attrs: Array<string | null>;
  /** Start (sessions: poll time − uptime) or first seen, ms. */
  start: number;
  /** Volatile values as the fact gives them (PPPoE: filled by the byte tracker instead). */
  vols: Array<number | null>;
  /** PPPoE byte counters [in, out] as read this poll. */
  bytes?: [number | null, number | null];
}

/** Everything the recorder and its SQL need to know about one kind. */
export interface KindSpec {
  kind: Kind;
  fact: 'pppoeSessions' | 'dhcpLeases' | 'wirelessClients' | 'arp';
  table: SubscriberTable;
  routerColumn: 'pppoe_at' | 'dhcp_at' | 'wireless_at' | 'arp_at';
  startColumn: 'started_at' | 'first_seen';
  keys: readonly Col[];
  attrs: readonly Col[];
  vols: readonly VolCol[];
  /** A row that is not an object never gets here: the recorder skips it as `invalid`. */
  parse(r: Record<string, unknown>, ts: number): Parsed | SkipReason;
  /**
   * The fast path of a row seen before: one raw field that nearly identifies the row (a string,
   * else undefined), and the other raw fields, compared one by one. A row whose raw fields are the
   * very strings parsed before is not checked again. (No key string is built: at 8,000 sessions
   * a poll, building and hashing one per row was most of the diff's time.)
   */
  rawKey(r: Record<string, unknown>): string | undefined;
  /** The other raw fields, kept with the row… */
  rawOf(r: Record<string, unknown>): unknown[];
  /** …and compared with a new row's (plain property reads: a generic keyed loop was 3× slower). */
  same(r: Record<string, unknown>, raw: unknown[]): boolean;
  /** Volatile values of a row (PPPoE: none; its bytes come from `bytesOf`). */
  volsOf(r: Record<string, unknown>, ts: number): Array<number | null>;
  bytesOf?(r: Record<string, unknown>): [number | null, number | null] | undefined;
}

/** Longest text we store in any column; a router sending more is sending garbage. */
const MAX_TEXT = 256;
/** At most this many rows of one kind per router and poll (a BNG has tens of thousands at most). */
export const MAX_ROWS = 200_000;
const SEP = '\u0001';

type Field = string | null | typeof BAD;
const BAD = Symbol('bad');

/** An optional text field: absent → null; not a string, too long or holding NUL → BAD. */
function text(v: unknown, max = MAX_TEXT): Field {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > max || v.includes('\u0000')) return BAD;
  return v;
}

const MAC_FORMS =
  /^(?:[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|[0-9a-f]{12})$/;

/** A MAC in any common notation as 12 lower-case hex digits, or undefined when it is not one. */
export function normaliseMac(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 17 || v.length < 12) return undefined;
  const lower = v.toLowerCase();
  if (!MAC_FORMS.test(lower)) return undefined;
  return lower.length === 12 ? lower : lower.replace(/[^0-9a-f]/g, '');
}

/** An IPv4 or IPv6 address that PostgreSQL's inet accepts, or undefined. */
export function normaliseIp(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 45 || v.length < 2) return undefined;
  const family = isIP(v);
  // PostgreSQL prints IPv6 in lower case: the key read back after a restart must be the same text.
  return family === 0 ? undefined : family === 6 ? v.toLowerCase() : v;
}

/** A count or duration: a finite number or bigint ≥ 0, else null. */
function amount(v: unknown): number | null {
  if (typeof v === 'bigint') return v >= 0n ? Number(v) : null;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

const rawString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const expiry = (r: Record<string, unknown>, ts: number): number | null => {
  const left = amount(r.expiresAfterSeconds);
  return left === null || left > 3.2e9 ? null : ts + Math.round(left * 1000);
};
const signalOf = (r: Record<string, unknown>): number | null =>
  typeof r.signalDbm === 'number' && r.signalDbm >= -200 && r.signalDbm <= 100 ? r.signalDbm : null;
const bytesOf = (r: Record<string, unknown>): [number | null, number | null] | undefined =>
  r.bytesIn === undefined && r.bytesOut === undefined ? undefined : [amount(r.bytesIn), amount(r.bytesOut)];

/** Start = poll time − uptime, when the uptime is sane (under 20 years). */
function since(ts: number, uptime: unknown): number {
  const s = amount(uptime);
  return s !== null && s < 630_720_000 ? ts - Math.round(s * 1000) : ts;
}

/** A fact row as an object, or undefined when it is not one (skipped as `invalid`). */
export const asRecord = (row: unknown): Record<string, unknown> | undefined =>
  typeof row === 'object' && row !== null ? (row as Record<string, unknown>) : undefined;

/** A required field the router left out or empty: the row is `incomplete`, not garbage. */
const blank = (v: unknown): boolean => v === undefined || v === '';

export const PPPOE: KindSpec = {
  kind: 'pppoe',
  fact: 'pppoeSessions',
  table: 'ispm_pppoe_sessions',
  routerColumn: 'pppoe_at',
  startColumn: 'started_at',
  keys: [
    { name: 'username' },
    { name: 'router_session_id', nullable: true },
    { name: 'caller_id', nullable: true },
  ],
  attrs: [{ name: 'mac' }, { name: 'service' }, { name: 'address', inet: true }, { name: 'interface' }],
  vols: [
    { name: 'bytes_in', type: 'bigint' },
    { name: 'bytes_out', type: 'bigint' },
    { name: 'peak_in_bps', type: 'float8' },
    { name: 'peak_out_bps', type: 'float8' },
  ],
  parse(r, ts) {
    const user = text(r.user);
    if (user === null) return 'incomplete';
    const id = text(r.id, 64);
    const caller = text(r.callerId, 64);
    const service = text(r.service);
    const iface = text(r.interface);
    const address = text(r.address, 64);
    if (user === BAD || id === BAD || caller === BAD || service === BAD || iface === BAD || address === BAD) {
      return 'invalid';
    }
    const mac = caller === null ? null : (normaliseMac(caller) ?? null);
    return {
      key: `${user}${SEP}${id ?? ''}${SEP}${caller ?? ''}`,
      keys: [user, id, caller],
      // An address that is not one (L2TP oddities, junk) is stored as unknown, the session kept.
      attrs: [mac, service, address === null ? null : (normaliseIp(address) ?? null), iface],
      start: since(ts, r.uptimeSeconds),
      vols: [null, null, null, null],
      bytes: bytesOf(r),
    };
  },
  rawKey: (r) => rawString(r.user),
  rawOf: (r) => [r.id, r.callerId, r.address, r.service, r.interface],
  same: (r, w) =>
    r.id === w[0] && r.callerId === w[1] && r.address === w[2] && r.service === w[3] && r.interface === w[4],
  volsOf: () => [null, null, null, null],
  bytesOf,
};

export const DHCP: KindSpec = {
  kind: 'dhcp',
  fact: 'dhcpLeases',
  table: 'ispm_dhcp_leases',
  routerColumn: 'dhcp_at',
  startColumn: 'first_seen',
  keys: [{ name: 'mac' }, { name: 'address', inet: true }],
  attrs: [{ name: 'host_name' }, { name: 'server' }, { name: 'status' }],
  vols: [{ name: 'expires_at', type: 'timestamptz' }],
  parse(r, ts) {
    if (blank(r.mac) || blank(r.address)) return 'incomplete';
    const mac = normaliseMac(r.mac);
    const address = normaliseIp(r.address);
    const host = text(r.hostName);
    const server = text(r.server);
    const status = text(r.status, 64);
    if (!mac || !address || host === BAD || server === BAD || status === BAD) return 'invalid';
    return {
      key: `${mac}${SEP}${address}`,
      keys: [mac, address],
      attrs: [host, server, status],
      start: ts,
      vols: [expiry(r, ts)],
    };
  },
  rawKey: (r) => rawString(r.mac),
  rawOf: (r) => [r.address, r.hostName, r.server, r.status],
  same: (r, w) => r.address === w[0] && r.hostName === w[1] && r.server === w[2] && r.status === w[3],
  volsOf: (r, ts) => [expiry(r, ts)],
};

export const WIRELESS: KindSpec = {
  kind: 'wireless',
  fact: 'wirelessClients',
  table: 'ispm_wireless_clients',
  routerColumn: 'wireless_at',
  startColumn: 'first_seen',
  keys: [{ name: 'mac' }, { name: 'interface' }],
  attrs: [{ name: 'ssid' }],
  vols: [{ name: 'signal_dbm', type: 'float8' }],
  parse(r, ts) {
    if (blank(r.mac) || blank(r.interface)) return 'incomplete';
    const mac = normaliseMac(r.mac);
    const iface = text(r.interface);
    const ssid = text(r.ssid);
    if (!mac || iface === BAD || iface === null || ssid === BAD) return 'invalid';
    return {
      key: `${mac}${SEP}${iface}`,
      keys: [mac, iface],
      attrs: [ssid],
      start: since(ts, r.uptimeSeconds),
      vols: [signalOf(r)],
    };
  },
  rawKey: (r) => rawString(r.mac),
  rawOf: (r) => [r.interface, r.ssid],
  same: (r, w) => r.interface === w[0] && r.ssid === w[1],
  volsOf: (r) => [signalOf(r)],
};

export const ARP: KindSpec = {
  kind: 'arp',
  fact: 'arp',
  table: 'ispm_arp_bindings',
  routerColumn: 'arp_at',
  startColumn: 'first_seen',
  keys: [{ name: 'address', inet: true }, { name: 'mac' }],
  attrs: [{ name: 'interface' }, { name: 'type' }],
  vols: [],
  parse(r, ts) {
    // Incomplete ARP entries (no MAC yet) are normal on a router: not garbage, just nothing to keep.
    if (blank(r.mac) || r.mac === null || r.address === undefined) return 'incomplete';
    const mac = normaliseMac(r.mac);
    const address = normaliseIp(r.address);
    const iface = text(r.interface);
    const type = text(r.type, 64);
    if (!mac || !address || iface === BAD || type === BAD) return 'invalid';
    return { key: `${address}${SEP}${mac}`, keys: [address, mac], attrs: [iface, type], start: ts, vols: [] };
  },
  rawKey: (r) => rawString(r.address),
  rawOf: (r) => [r.mac, r.interface, r.type],
  same: (r, w) => r.mac === w[0] && r.interface === w[1] && r.type === w[2],
  volsOf: () => [],
};

/** All kinds, in the order they are written. */
export const KINDS: readonly KindSpec[] = [PPPOE, DHCP, WIRELESS, ARP];

/** The list of a kind in `facts`, or undefined when the poll did not collect it. */
export function listOf(facts: InventoryFacts, spec: KindSpec): readonly unknown[] | undefined {
  const list = (facts as Record<string, unknown>)[spec.fact];
  return Array.isArray(list) ? list : undefined;
}
