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

/** Runs `sql` on `rows` in chunks: each column an array parameter, `$1…$n` in `columns` order. */
async function insert<T>(db: Db, rows: T[], columns: Array<(r: T) => unknown>, sql: string): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const c = rows.slice(i, i + CHUNK);
    n += (
      await db.query(
        sql,
        columns.map((f) => c.map(f)),
      )
    ).rowCount;
  }
  return n;
}

type Parent = 'ispm_pppoe_sessions' | 'ispm_dhcp_leases' | 'ispm_wireless_clients';

/** The weekly partitions (by end) the ended rows go to, created as the recorder creates them. */
async function weeks(db: Db, parent: Parent, ends: number[]): Promise<void> {
  if (ends.length === 0) return;
  await ensurePartitions(db, { parent, span: 'week' }, Math.min(...ends), Math.max(...ends));
}

const ts = (col: string) => `to_timestamp(${col} / 1000)`;

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
  await weeks(
    db,
    'ispm_pppoe_sessions',
    rows.flatMap((r) => (r.to === null ? [] : [r.to])),
  );
  const cols: Array<(r: R) => unknown> = [
    (r) => r.router,
    (r) => r.user,
    (r) => r.service,
    (r) => r.callerId,
    (r) => r.mac,
    (r) => r.address,
    (r) => r.iface,
    (r) => r.sid,
    (r) => r.from,
    (r) => r.lastSeen,
    (r) => r.to,
    (r) => r.reason,
    (r) => r.reconnect,
    (r) => r.bytesIn,
    (r) => r.bytesOut,
    (r) => r.peakIn,
    (r) => r.peakOut,
  ];
  const select = (table: string, tail: string) => `
    INSERT INTO ${table} (device, username, service, caller_id, mac, address, interface, router_session_id,
                          started_at, last_seen, ended_at, end_reason, reconnect, bytes_in, bytes_out,
                          peak_in_bps, peak_out_bps)
    SELECT d, u, sv, cid, m, a::inet, i, sid, ${ts('f')}, ${ts('ls')}, ${ts('t')}, er, rc, bi::bigint, bo::bigint, pi, po
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                  $9::float8[], $10::float8[], $11::float8[], $12::text[], $13::boolean[], $14::float8[],
                  $15::float8[], $16::float8[], $17::float8[])
           AS x(d, u, sv, cid, m, a, i, sid, f, ls, t, er, rc, bi, bo, pi, po)
    ${tail}`;
  const ended = rows.filter((r) => r.to !== null);
  const active = rows.filter((r) => r.to === null);
  return (
    (await insert(
      db,
      ended,
      cols,
      select(
        'ispm_pppoe_sessions',
        `WHERE NOT EXISTS (SELECT 1 FROM ispm_pppoe_sessions s WHERE lower(s.username) = lower(x.u) AND s.username = x.u
                             AND s.started_at = ${ts('x.f')} AND s.device = x.d
                             AND s.router_session_id IS NOT DISTINCT FROM x.sid)`,
      ),
    )) + (await insert(db, active, cols, select('ispm_pppoe_sessions_open', 'ON CONFLICT DO NOTHING')))
  );
}

/** Writes DHCP leases; returns the rows written. */
export async function importLeases(db: Db, list: Leases, now: number): Promise<number> {
  const rows = list.map((l, i) => {
    const where = `leases[${i}]`;
    const { from, to } = span(l ?? {}, where);
    const mac = normaliseMac(text(l.mac, where, 'mac', true) as string);
    const address = normaliseIp(text(l.address, where, 'address', true) as string);
    if (!mac) throw badQuery(`${where}: mac is not a MAC address`);
    if (!address) throw badQuery(`${where}: address is not an IP address`);
    return {
      router: text(l.router, where, 'router', true),
      mac,
      address,
      host: text(l.hostName, where, 'hostName'),
      server: text(l.server, where, 'server'),
      from,
      to,
      lastSeen: to ?? Math.max(from, now),
      expires: number(l.expiresAt, where, 'expiresAt'),
    };
  });
  type R = (typeof rows)[number];
  await weeks(
    db,
    'ispm_dhcp_leases',
    rows.flatMap((r) => (r.to === null ? [] : [r.to])),
  );
  const cols: Array<(r: R) => unknown> = [
    (r) => r.router,
    (r) => r.mac,
    (r) => r.address,
    (r) => r.host,
    (r) => r.server,
    (r) => r.from,
    (r) => r.lastSeen,
    (r) => r.to,
    (r) => r.expires,
  ];
  const select = (table: string, tail: string) => `
    INSERT INTO ${table} (device, mac, address, host_name, server, first_seen, last_seen, ended_at, expires_at, end_reason)
    SELECT d, m, a::inet, h, sv, ${ts('f')}, ${ts('ls')}, ${ts('t')}, ${ts('e')}, CASE WHEN t IS NOT NULL THEN 'vanished' END
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[],
                  $9::float8[]) AS x(d, m, a, h, sv, f, ls, t, e)
    ${tail}`;
  return (
    (await insert(
      db,
      rows.filter((r) => r.to !== null),
      cols,
      select(
        'ispm_dhcp_leases',
        `WHERE NOT EXISTS (SELECT 1 FROM ispm_dhcp_leases l WHERE l.mac = x.m AND l.first_seen = ${ts('x.f')} AND l.device = x.d)`,
      ),
    )) +
    (await insert(
      db,
      rows.filter((r) => r.to === null),
      cols,
      select('ispm_dhcp_leases_open', 'ON CONFLICT DO NOTHING'),
    ))
  );
}

/** Writes wireless registrations; returns the rows written. */
export async function importWireless(db: Db, list: Wireless, now: number): Promise<number> {
  const rows = list.map((w, i) => {
    const where = `wireless[${i}]`;
    const { from, to } = span(w ?? {}, where);
    const mac = normaliseMac(text(w.mac, where, 'mac', true) as string);
    if (!mac) throw badQuery(`${where}: mac is not a MAC address`);
    return {
      router: text(w.router, where, 'router', true),
      mac,
      iface: text(w.interface, where, 'interface', true),
      ssid: text(w.ssid, where, 'ssid'),
      signal: number(w.signalDbm, where, 'signalDbm'),
      from,
      to,
      lastSeen: to ?? Math.max(from, now),
    };
  });
  type R = (typeof rows)[number];
  await weeks(
    db,
    'ispm_wireless_clients',
    rows.flatMap((r) => (r.to === null ? [] : [r.to])),
  );
  const cols: Array<(r: R) => unknown> = [
    (r) => r.router,
    (r) => r.mac,
    (r) => r.iface,
    (r) => r.ssid,
    (r) => r.signal,
    (r) => r.from,
    (r) => r.lastSeen,
    (r) => r.to,
  ];
  const select = (table: string, tail: string) => `
    INSERT INTO ${table} (device, mac, interface, ssid, signal_dbm, first_seen, last_seen, ended_at, end_reason)
    SELECT d, m, i, ss, sg, ${ts('f')}, ${ts('ls')}, ${ts('t')}, CASE WHEN t IS NOT NULL THEN 'vanished' END
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
           AS x(d, m, i, ss, sg, f, ls, t)
    ${tail}`;
  return (
    (await insert(
      db,
      rows.filter((r) => r.to !== null),
      cols,
      select(
        'ispm_wireless_clients',
        `WHERE NOT EXISTS (SELECT 1 FROM ispm_wireless_clients w WHERE w.mac = x.m AND w.first_seen = ${ts('x.f')} AND w.device = x.d)`,
      ),
    )) +
    (await insert(
      db,
      rows.filter((r) => r.to === null),
      cols,
      select('ispm_wireless_clients_open', 'ON CONFLICT DO NOTHING'),
    ))
  );
}
