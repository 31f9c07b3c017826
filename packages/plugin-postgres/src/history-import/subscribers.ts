/**
 * Backfilled subscriber history: PPPoE sessions, DHCP leases, wireless registrations, written
 * into the recorder's tables. Ended rows go to their weeks' partitions (created first); current
 * rows to the open partition, where the recorder's identity index makes a second import (or a
 * row the recorder already holds) a no-op. Ended rows already there (same router, key and start)
 * are skipped too, so an import can be run twice.
 */
import type { Db } from '../db/types.js';
import { ensurePartitions } from '../schema/partitions.js';
import type { HistoryImport } from '../subscribers/query-types.js';
import { normaliseIp, normaliseMac } from '../subscribers/search-address.js';
import { badQuery } from '../subscribers/search-terms.js';

const CHUNK = 5_000;
const REASONS = new Set(['vanished', 'router unreachable', 'monitor restart']);

type Sessions = NonNullable<HistoryImport['sessions']>;
type Leases = NonNullable<HistoryImport['leases']>;
type Wireless = NonNullable<HistoryImport['wireless']>;

const text = (v: unknown, where: string, field: string, required = false): string | null => {
  if (v === undefined || v === null) {
    if (required) throw badQuery(`${where}: ${field} is required`);
    return null;
  }
  if (typeof v !== 'string' || (required && v.length === 0))
    throw badQuery(`${where}: ${field} must be a string`);
  if (v.includes('\u0000')) throw badQuery(`${where}: ${field} holds a NUL character`);
  return v.slice(0, 500);
};

const number = (v: unknown, where: string, field: string): number | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw badQuery(`${where}: ${field} must be a finite number`);
  return v;
};

function span(v: { from?: unknown; to?: unknown }, where: string): { from: number; to: number | null } {
  const from = number(v.from, where, 'from');
  const to = number(v.to, where, 'to');
  if (from === null) throw badQuery(`${where}: from is required`);
  if (to !== null && to < from) throw badQuery(`${where}: to is before from`);
  return { from, to };
}

/** One column of a recorder table, as an import writes it. */
interface Column<R> {
  /** The table's column, also the name of its unnested parameter in the SELECT (`x.<name>`). */
  name: string;
  /** Type of the array parameter that carries the column's values. */
  type: 'text' | 'float8' | 'boolean';
  value: (row: R) => unknown;
  /** The SELECT expression of the unnested value `v` (a cast, a timestamp); default `v` itself. */
  as?: (v: string) => string;
}

type Parent = 'ispm_pppoe_sessions' | 'ispm_dhcp_leases' | 'ispm_wireless_clients';

const at = (v: string) => `to_timestamp(${v} / 1000)`;
const inet = (v: string) => `${v}::inet`;
const bigint = (v: string) => `${v}::bigint`;

/** Rows with a start and an end (null while current), as every recorder table holds them. */
interface Span {
  to: number | null;
}

/** `INSERT INTO table (…) SELECT … FROM unnest($1…$n) AS x(…) tail`: one array parameter a column. */
function insertSql<R>(table: string, columns: Array<Column<R>>, tail: string): string {
  const names = columns.map((c) => c.name).join(', ');
  const values = columns.map((c) => (c.as ? c.as(`x.${c.name}`) : `x.${c.name}`)).join(', ');
  const params = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  return `INSERT INTO ${table} (${names}) SELECT ${values} FROM unnest(${params}) AS x(${names}) ${tail}`;
}

/** Runs `sql` on `rows` in chunks, each column's values one array parameter. */
async function insert<R>(db: Db, rows: R[], columns: Array<Column<R>>, sql: string): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const c = rows.slice(i, i + CHUNK);
    n += (
      await db.query(
        sql,
        columns.map((col) => c.map(col.value)),
      )
    ).rowCount;
  }
  return n;
}

/**
 * Writes rows of one recorder table; returns the rows written. Ended rows go to the weekly
 * partitions (by end, created as the recorder creates them), skipped where `existing` finds the
 * same row already there (`e` the stored row, `x` the imported one); current rows go to the open
 * partition, whose identity index skips a row held already.
 */
async function writeSpans<R extends Span>(
  db: Db,
  parent: Parent,
  rows: R[],
  columns: Array<Column<R>>,
  existing: string,
): Promise<number> {
  const ended = rows.filter((r) => r.to !== null);
  const current = rows.filter((r) => r.to === null);
  const ends = ended.map((r) => r.to as number);
  if (ends.length > 0) {
    await ensurePartitions(db, { parent, span: 'week' }, Math.min(...ends), Math.max(...ends));
  }
  const skipStored = `WHERE NOT EXISTS (SELECT 1 FROM ${parent} e WHERE ${existing})`;
  return (
    (await insert(db, ended, columns, insertSql(parent, columns, skipStored))) +
    (await insert(db, current, columns, insertSql(`${parent}_open`, columns, 'ON CONFLICT DO NOTHING')))
  );
}

/** Writes PPPoE sessions; returns the rows written. */
export async function importSessions(db: Db, list: Sessions, now: number): Promise<number> {
  const rows = list.map((s, i) => {
    const where = `sessions[${i}]`;
    const { from, to } = span({ from: s?.start, to: s?.end }, where);
    if (s.endReason !== null && s.endReason !== undefined && !REASONS.has(s.endReason))
      throw badQuery(`${where}: unknown endReason`);
    const callerId = text(s.callerId, where, 'callerId');
    const address = text(s.address, where, 'address');
    return {
      router: text(s.router, where, 'router', true),
      user: text(s.user, where, 'user', true),
      service: text(s.service, where, 'service'),
      callerId,
      mac: callerId === null ? null : (normaliseMac(callerId) ?? null),
      address: address === null ? null : (normaliseIp(address) ?? null),
      iface: text(s.interface, where, 'interface'),
      sid: text(s.routerSessionId, where, 'routerSessionId'),
      from,
      to,
      lastSeen: to ?? Math.max(from, now),
      reason: to === null ? null : (s.endReason ?? 'vanished'),
      reconnect: s.reconnect === true,
      bytesIn: number(s.bytesIn, where, 'bytesIn'),
      bytesOut: number(s.bytesOut, where, 'bytesOut'),
      peakIn: number(s.peakInBps, where, 'peakInBps'),
      peakOut: number(s.peakOutBps, where, 'peakOutBps'),
    };
  });
  type R = (typeof rows)[number];
  const columns: Array<Column<R>> = [
    { name: 'device', type: 'text', value: (r) => r.router },
    { name: 'username', type: 'text', value: (r) => r.user },
    { name: 'service', type: 'text', value: (r) => r.service },
    { name: 'caller_id', type: 'text', value: (r) => r.callerId },
    { name: 'mac', type: 'text', value: (r) => r.mac },
    { name: 'address', type: 'text', value: (r) => r.address, as: inet },
    { name: 'interface', type: 'text', value: (r) => r.iface },
    { name: 'router_session_id', type: 'text', value: (r) => r.sid },
    { name: 'started_at', type: 'float8', value: (r) => r.from, as: at },
    { name: 'last_seen', type: 'float8', value: (r) => r.lastSeen, as: at },
    { name: 'ended_at', type: 'float8', value: (r) => r.to, as: at },
    { name: 'end_reason', type: 'text', value: (r) => r.reason },
    { name: 'reconnect', type: 'boolean', value: (r) => r.reconnect },
    { name: 'bytes_in', type: 'float8', value: (r) => r.bytesIn, as: bigint },
    { name: 'bytes_out', type: 'float8', value: (r) => r.bytesOut, as: bigint },
    { name: 'peak_in_bps', type: 'float8', value: (r) => r.peakIn },
    { name: 'peak_out_bps', type: 'float8', value: (r) => r.peakOut },
  ];
  // lower(username) first: the table's index on it makes the check cheap.
  const existing = `lower(e.username) = lower(x.username) AND e.username = x.username
    AND e.started_at = ${at('x.started_at')} AND e.device = x.device
    AND e.router_session_id IS NOT DISTINCT FROM x.router_session_id`;
  return writeSpans(db, 'ispm_pppoe_sessions', rows, columns, existing);
}

/** What a lease and a wireless registration share: a router, a client MAC and a span. */
interface MacSpan extends Span {
  router: string | null;
  mac: string;
  from: number;
  lastSeen: number;
}

/** Checks the router, MAC and span of an imported lease or wireless registration. */
function macSpan(
  v: { router?: unknown; mac?: unknown; from?: unknown; to?: unknown },
  where: string,
  now: number,
): MacSpan {
  const { from, to } = span(v ?? {}, where);
  const mac = normaliseMac(text(v.mac, where, 'mac', true) as string);
  if (!mac) throw badQuery(`${where}: mac is not a MAC address`);
  return {
    router: text(v.router, where, 'router', true),
    mac,
    from,
    to,
    lastSeen: to ?? Math.max(from, now),
  };
}

/**
 * The columns of a lease or wireless table: device and MAC, the kind's `own`, then the span (no
 * end reason but `vanished` is imported for these). A stored row is the same when router, MAC
 * and start are.
 */
async function writeMacSpans<R extends MacSpan>(
  db: Db,
  parent: 'ispm_dhcp_leases' | 'ispm_wireless_clients',
  rows: R[],
  own: Array<Column<R>>,
): Promise<number> {
  const columns: Array<Column<R>> = [
    { name: 'device', type: 'text', value: (r) => r.router },
    { name: 'mac', type: 'text', value: (r) => r.mac },
    ...own,
    { name: 'first_seen', type: 'float8', value: (r) => r.from, as: at },
    { name: 'last_seen', type: 'float8', value: (r) => r.lastSeen, as: at },
    { name: 'ended_at', type: 'float8', value: (r) => r.to, as: at },
    { name: 'end_reason', type: 'text', value: (r) => (r.to === null ? null : 'vanished') },
  ];
  const existing = `e.mac = x.mac AND e.first_seen = ${at('x.first_seen')} AND e.device = x.device`;
  return writeSpans(db, parent, rows, columns, existing);
}

/** Writes DHCP leases; returns the rows written. */
export async function importLeases(db: Db, list: Leases, now: number): Promise<number> {
  const rows = list.map((l, i) => {
    const where = `leases[${i}]`;
    const lease = macSpan(l, where, now);
    const address = normaliseIp(text(l.address, where, 'address', true) as string);
    if (!address) throw badQuery(`${where}: address is not an IP address`);
    return {
      ...lease,
      address,
      host: text(l.hostName, where, 'hostName'),
      server: text(l.server, where, 'server'),
      expires: number(l.expiresAt, where, 'expiresAt'),
    };
  });
  return writeMacSpans(db, 'ispm_dhcp_leases', rows, [
    { name: 'address', type: 'text', value: (r) => r.address, as: inet },
    { name: 'host_name', type: 'text', value: (r) => r.host },
    { name: 'server', type: 'text', value: (r) => r.server },
    { name: 'expires_at', type: 'float8', value: (r) => r.expires, as: at },
  ]);
}

/** Writes wireless registrations; returns the rows written. */
export async function importWireless(db: Db, list: Wireless, now: number): Promise<number> {
  const rows = list.map((w, i) => {
    const where = `wireless[${i}]`;
    return {
      ...macSpan(w, where, now),
      iface: text(w.interface, where, 'interface', true),
      ssid: text(w.ssid, where, 'ssid'),
      signal: number(w.signalDbm, where, 'signalDbm'),
    };
  });
  return writeMacSpans(db, 'ispm_wireless_clients', rows, [
    { name: 'interface', type: 'text', value: (r) => r.iface },
    { name: 'ssid', type: 'text', value: (r) => r.ssid },
    { name: 'signal_dbm', type: 'float8', value: (r) => r.signal },
  ]);
}
