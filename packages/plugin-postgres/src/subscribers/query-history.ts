/**
 * Who held an IP or a MAC, when and where: the rows of every history table that name it, newest
 * first. Each table is read through its address or MAC index, at most `limit` rows each.
 */
import type { Queryable } from '../db/types.js';
import type { BindingRecord, HistoryWindow } from './query-types.js';
import { formatMac } from './search-address.js';
import { ms, num, Params, run, str } from './search-sql.js';
import { parseWindow, requireIp, requireMac } from './search-terms.js';

/** Default and largest number of bindings. */
export const HISTORY_DEFAULT_LIMIT = 100;
export const HISTORY_MAX_LIMIT = 1000;

/** One table's columns as a binding (constants of ours). */
interface Table {
  source: BindingRecord['source'];
  table: string;
  since: string;
  ip: string;
  user: string;
  hostName: string;
  iface: string;
}

const TABLES: Record<Exclude<BindingRecord['source'], 'interface'>, Table> = {
  pppoe: {
    source: 'pppoe',
    table: 'ispm_pppoe_sessions',
    since: 'started_at',
    ip: 'host(address)',
    user: 'username',
    hostName: 'NULL::text',
    iface: 'interface',
  },
  dhcp: {
    source: 'dhcp',
    table: 'ispm_dhcp_leases',
    since: 'first_seen',
    ip: 'host(address)',
    user: 'NULL::text',
    hostName: 'host_name',
    iface: 'NULL::text',
  },
  wireless: {
    source: 'wireless',
    table: 'ispm_wireless_clients',
    since: 'first_seen',
    ip: 'NULL::text',
    user: 'NULL::text',
    hostName: 'NULL::text',
    iface: 'interface',
  },
  arp: {
    source: 'arp',
    table: 'ispm_arp_bindings',
    since: 'first_seen',
    ip: 'host(address)',
    user: 'NULL::text',
    hostName: 'NULL::text',
    iface: 'interface',
  },
};

/** Routers' interface addresses, with the interface's name (a subquery the address condition is pushed into). */
const INTERFACE: Table = {
  source: 'interface',
  table: `(SELECT a.address, a.device, a.first_seen, a.ended_at, NULL::text AS mac, i.name AS iface
             FROM ispm_interface_addresses a
             LEFT JOIN ispm_interfaces i ON i.device = a.device AND i.if_index = a.if_index) x`,
  since: 'first_seen',
  ip: 'host(address)',
  user: 'NULL::text',
  hostName: 'NULL::text',
  iface: 'iface',
};

interface Row {
  device: string;
  ip: string | null;
  mac: string | null;
  username: string | null;
  host_name: string | null;
  iface: string | null;
  since: number;
  until: number | null;
}

async function bindings(
  db: Queryable,
  tables: Table[],
  where: (p: Params) => string,
  q: HistoryWindow | undefined,
): Promise<BindingRecord[]> {
  const w = parseWindow(q, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT);
  const parts = await Promise.all(
    tables.map(async (t) => {
      const p = new Params();
      const conds = [where(p)];
      if (w.from !== null)
        conds.push(
          `coalesce(ended_at, 'infinity'::timestamptz) >= to_timestamp(${p.add(w.from)}::float8 / 1000)`,
        );
      if (w.to !== null) conds.push(`${t.since} <= to_timestamp(${p.add(w.to)}::float8 / 1000)`);
      const rows = await run<Row>(
        db,
        `SELECT device, ${t.ip} AS ip, mac, ${t.user} AS username, ${t.hostName} AS host_name, ${t.iface} AS iface,
                ${ms(t.since)} AS since, ${ms('ended_at')} AS until
           FROM ${t.table} WHERE ${conds.join(' AND ')} ORDER BY ${t.since} DESC LIMIT ${p.add(w.limit)}`,
        p,
      );
      return rows.map(
        (r): BindingRecord => ({
          source: t.source,
          router: r.device,
          ip: str(r.ip),
          mac: r.mac ? formatMac(r.mac) : null,
          user: str(r.username),
          hostName: str(r.host_name),
          interface: str(r.iface),
          from: Number(r.since),
          to: num(r.until),
        }),
      );
    }),
  );
  return parts
    .flat()
    .sort((a, b) => b.from - a.from || a.source.localeCompare(b.source) || a.router.localeCompare(b.router))
    .slice(0, w.limit);
}

/**
 * Bindings of an IP address (exact; any notation of IPv6): PPPoE sessions, DHCP leases, ARP, and
 * the routers' interfaces that hold it.
 */
export async function ipHistory(db: Queryable, ip: unknown, q?: HistoryWindow): Promise<BindingRecord[]> {
  const address = requireIp(ip);
  return bindings(
    db,
    [TABLES.pppoe, TABLES.dhcp, TABLES.arp, INTERFACE],
    (p) => `address = ${p.add(address)}::inet`,
    q,
  );
}

/** Bindings of a MAC (any notation): PPPoE caller ids, DHCP leases, wireless registrations, ARP. */
export async function macHistory(db: Queryable, mac: unknown, q?: HistoryWindow): Promise<BindingRecord[]> {
  const hex = requireMac(mac);
  return bindings(db, Object.values(TABLES), (p) => `mac = ${p.add(hex)}`, q);
}
