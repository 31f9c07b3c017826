/**
 * Search parts: IP addresses and MACs, wherever they were seen — PPPoE sessions, DHCP leases,
 * wireless registrations, ARP bindings, interfaces. One hit per address and source: the current
 * row, else the latest.
 */
import type { Queryable } from '../db/types.js';
import type { IpHit, MacHit, Match } from './query-types.js';
import { formatMac, type IpTerm, type MacTerm } from './search-address.js';
import { CANDIDATES, ipCondition, macCondition, ms, Params, run, str } from './search-sql.js';

/** A history table as the binding searches read it: our constants, never input. */
interface Source {
  source: 'pppoe' | 'dhcp' | 'wireless' | 'arp';
  table: string;
  since: string;
  /** Column of `ispm_subscriber_routers` with the router's last poll of this kind. */
  polled: string;
  user: string;
  hostName: string;
  iface: string;
  address: string;
}

const PPPOE: Source = {
  source: 'pppoe',
  table: 'ispm_pppoe_sessions',
  since: 'started_at',
  polled: 'pppoe_at',
  user: 't.username',
  hostName: 'NULL::text',
  iface: 't.interface',
  address: 'host(t.address)',
};
const DHCP: Source = {
  source: 'dhcp',
  table: 'ispm_dhcp_leases',
  since: 'first_seen',
  polled: 'dhcp_at',
  user: 'NULL::text',
  hostName: 't.host_name',
  iface: 'NULL::text',
  address: 'host(t.address)',
};
const WIRELESS: Source = {
  source: 'wireless',
  table: 'ispm_wireless_clients',
  since: 'first_seen',
  polled: 'wireless_at',
  user: 'NULL::text',
  hostName: 'NULL::text',
  iface: 't.interface',
  address: 'NULL::text',
};
const ARP: Source = {
  source: 'arp',
  table: 'ispm_arp_bindings',
  since: 'first_seen',
  polled: 'arp_at',
  user: 'NULL::text',
  hostName: 'NULL::text',
  iface: 't.interface',
  address: 'host(t.address)',
};

/** Sources holding IPs, and holding MACs. */
export const IP_SOURCES: readonly Source[] = [PPPOE, DHCP, ARP];
export const MAC_SOURCES: readonly Source[] = [PPPOE, DHCP, WIRELESS, ARP];

interface Row {
  source: Source['source'];
  device: string;
  address: string | null;
  mac: string | null;
  username: string | null;
  host_name: string | null;
  iface: string | null;
  active: boolean;
  since: number;
  last_seen: number;
}

/**
 * Rows of the sources that match, in one statement: per source the current ones (its open
 * partition), then ended ones, at most `CANDIDATES` of each. For an exact address the ended ones
 * are the latest; for a prefix or a block, the first in `col` order (an index scan per partition
 * that stops at the limit: sorting every match of `10.` by time would read them all).
 */
async function rowsOf(
  db: Queryable,
  sources: readonly Source[],
  exact: boolean,
  col: 'address' | 'mac',
  where: (p: Params) => string,
): Promise<Row[]> {
  const p = new Params();
  const cond = where(p);
  const cap = p.add(CANDIDATES);
  // The router's last poll, one primary-key probe per row (a join hashed all the routers).
  const polled = (c: string) => `(SELECT r.${c} FROM ispm_subscriber_routers r WHERE r.device = t.device)`;
  // The MAC indexes are text_pattern_ops: their order is `~<~`, not the collation's.
  const order = col === 'mac' ? 'mac USING ~<~' : col;
  const part = (s: Source) => {
    const cols = `'${s.source}' AS source, t.device, ${s.address} AS address, t.mac, ${s.user} AS username,
                  ${s.hostName} AS host_name, ${s.iface} AS iface, ${ms(`t.${s.since}`)} AS since`;
    return `
    (SELECT ${cols}, true AS active, ${ms(`greatest(t.last_seen, ${polled(s.polled)})`)} AS last_seen
       FROM (SELECT * FROM ${s.table}_open WHERE ${cond} ${exact ? '' : `ORDER BY ${order}`} LIMIT ${cap}) t)
    UNION ALL
    (SELECT ${cols}, false, ${ms('t.last_seen')}
       FROM ${s.table} t
      WHERE ${cond} AND coalesce(t.ended_at, 'infinity'::timestamptz) < 'infinity'::timestamptz
      ORDER BY ${exact ? `coalesce(t.ended_at, 'infinity'::timestamptz) DESC` : `t.${order}`} LIMIT ${cap})`;
  };
  return run<Row>(db, sources.map(part).join(' UNION ALL '), p);
}

/** Keeps the first row per key (rows come current first, then newest first). */
function bestPer<T>(rows: T[], key: (r: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const r of rows) if (!seen.has(key(r))) seen.set(key(r), r);
  return [...seen.values()];
}

const order = (a: Row, b: Row) => Number(b.active) - Number(a.active) || b.last_seen - a.last_seen;

/** IP hits: one per address and source. */
export async function searchIps(db: Queryable, ip: IpTerm): Promise<IpHit[]> {
  const match: Match = ip.kind === 'exact' ? 'exact' : 'prefix';
  const rows = await rowsOf(db, IP_SOURCES, ip.kind === 'exact', 'address', (p) =>
    ipCondition('address', ip, p),
  );
  return bestPer(rows.sort(order), (r) => `${r.source} ${r.address}`).map(
    (r): IpHit => ({
      kind: 'ip',
      ip: String(r.address),
      source: r.source as IpHit['source'],
      router: r.device,
      user: str(r.username),
      mac: r.mac ? formatMac(r.mac) : null,
      hostName: str(r.host_name),
      interface: str(r.iface),
      active: r.active === true,
      since: Number(r.since),
      lastSeen: Number(r.last_seen),
      match,
    }),
  );
}

/** MAC hits from the history tables: one per MAC and source. */
export async function searchMacs(db: Queryable, mac: MacTerm): Promise<MacHit[]> {
  const match: Match = mac.full ? 'exact' : 'prefix';
  const rows = await rowsOf(db, MAC_SOURCES, mac.full, 'mac', (p) =>
    macCondition('mac', mac.hex, mac.full, p),
  );
  return bestPer(rows.sort(order), (r) => `${r.source} ${r.mac}`).map(
    (r): MacHit => ({
      kind: 'mac',
      mac: formatMac(String(r.mac)),
      source: r.source,
      router: r.device,
      user: str(r.username),
      address: str(r.address),
      interface: str(r.iface),
      active: r.active === true,
      since: Number(r.since),
      lastSeen: Number(r.last_seen),
      match,
    }),
  );
}
